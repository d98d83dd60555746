//! The endpoints each platform documents, offered as suggestions.

use super::Platform;

/// One documented endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub method: &'static str,
    /// Path below the device origin; AsyncOS paths include the API base.
    pub path: &'static str,
    pub summary: &'static str,
    /// An example JSON body, where the endpoint takes one.
    pub body: Option<&'static str>,
}

const fn get(path: &'static str, summary: &'static str) -> Endpoint {
    Endpoint {
        method: "GET",
        path,
        summary,
        body: None,
    }
}

const fn post(path: &'static str, summary: &'static str, body: &'static str) -> Endpoint {
    Endpoint {
        method: "POST",
        path,
        summary,
        body: Some(body),
    }
}

const fn put(path: &'static str, summary: &'static str, body: &'static str) -> Endpoint {
    Endpoint {
        method: "PUT",
        path,
        summary,
        body: Some(body),
    }
}

const fn delete(path: &'static str, summary: &'static str) -> Endpoint {
    Endpoint {
        method: "DELETE",
        path,
        summary,
        body: None,
    }
}

const ASA: &[Endpoint] = &[
    get(
        "/api/objects/networkobjects?offset=0&limit=100",
        "List network objects (pages of at most 100, with rangeInfo)",
    ),
    post(
        "/api/objects/networkobjects",
        "Create a network object",
        r#"{"kind": "object#NetworkObj", "name": "web-server-2", "host": {"kind": "IPv4Address", "value": "10.1.1.20"}}"#,
    ),
    post(
        "/api/cli",
        "Run CLI commands (serial number)",
        r#"{"commands": ["show version | include Serial"]}"#,
    ),
    post(
        "/api/commands/writemem",
        "Write the running-config to memory",
        "",
    ),
    post(
        "/api/backup",
        "Back up the configuration",
        r#"{"location": "disk0:/backup.tar.gz", "passphrase": "{{backup_passphrase}}"}"#,
    ),
    post(
        "/api/backup",
        "Back up one security context (multiple-context mode)",
        r#"{"location": "disk0:/admin-backup.tar.gz", "passphrase": "{{backup_passphrase}}", "context": "admin"}"#,
    ),
    post(
        "/api/restore",
        "Restore a backup (disruptive: the ASA reloads)",
        r#"{"location": "disk0:/backup.tar.gz", "passphrase": "{{backup_passphrase}}"}"#,
    ),
    post(
        "/api/restore",
        "Restore one security context's backup (disruptive)",
        r#"{"location": "disk0:/admin-backup.tar.gz", "passphrase": "{{backup_passphrase}}", "context": "admin"}"#,
    ),
    get(
        "/api/monitoring/device/components/version",
        "Software version and device type",
    ),
    get("/api/monitoring/serialnumber", "Serial number"),
];

const FXOS: &[Endpoint] = &[
    get("/api/sys/firmware", "Platform bundle (firmware) version"),
    get("/api/chassis/inventory", "Chassis inventory"),
    get("/api/sm/apps", "Installed logical device applications"),
    get("/api/ports/ep", "Ethernet ports and their states"),
    get("/api/ld/SecurityModule", "Security modules"),
];

const FMC: &[Endpoint] = &[
    get(
        "/api/fmc_platform/v1/info/serverversion",
        "Server version (FMC, VDB, SRU)",
    ),
    get(
        "/api/fmc_config/v1/domain/{domainUUID}/object/networks?expanded=true&offset=0&limit=25",
        "List network objects (expanded; pages of 25, with paging)",
    ),
    post(
        "/api/fmc_config/v1/domain/{domainUUID}/object/networks",
        "Create a network object",
        r#"{"name": "web-net-2", "value": "10.1.2.0/24", "type": "Network", "overridable": false}"#,
    ),
    get(
        "/api/fmc_config/v1/domain/{domainUUID}/object/hosts?expanded=true",
        "List host objects (expanded)",
    ),
    get(
        "/api/fmc_config/v1/domain/{domainUUID}/policy/accesspolicies?expanded=true",
        "List access control policies (expanded)",
    ),
    get(
        "/api/fmc_config/v1/domain/{domainUUID}/devices/devicerecords?expanded=true",
        "List managed devices (expanded)",
    ),
    get(
        "/api/fmc_config/v1/domain/{domainUUID}/deployment/deployabledevices?expanded=true",
        "Devices with changes waiting to be deployed",
    ),
    post(
        "/api/fmc_config/v1/domain/{domainUUID}/deployment/deploymentrequests",
        "Deploy pending changes to devices",
        r#"{"type": "DeploymentRequest", "version": "{{deploy_version}}", "forceDeploy": false, "ignoreWarning": true, "deviceList": ["{{device_uuid}}"]}"#,
    ),
];

const FDM: &[Endpoint] = &[
    get(
        "/api/fdm/latest/operational/systeminfo/default",
        "System information (software version, model, serial)",
    ),
    get(
        "/api/fdm/latest/object/networks?offset=0&limit=10",
        "List network objects (pages of 10, with paging)",
    ),
    post(
        "/api/fdm/latest/object/networks",
        "Create a network object",
        r#"{"name": "web-net-2", "subType": "NETWORK", "value": "10.1.2.0/24", "type": "networkobject"}"#,
    ),
    get("/api/fdm/latest/policy/accesspolicies", "Access policies"),
    get(
        "/api/fdm/latest/devices/default/interfaces",
        "Physical interfaces",
    ),
    post(
        "/api/fdm/latest/operational/deploy",
        "Deploy pending changes",
        "",
    ),
    get(
        "/api/fdm/latest/operational/deploy",
        "Deployment jobs and their states",
    ),
];

const WSA: &[Endpoint] = &[
    get(
        "/wsa/api/v2.0/reporting/web_malware_category_malware_name_user_detail?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=wsa",
        "Malware by category, name and user",
    ),
    get(
        "/wsa/api/v2.0/reporting/web_services_summary?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=wsa",
        "Web services summary",
    ),
    get(
        "/wsa/api/v2.0/reporting/web_top_users?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=wsa",
        "Top users",
    ),
    get(
        "/wsa/api/v2.0/reporting/web_top_users?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=wsa&filterBy=user&filterValue=jsmith&filterOperator=begins_with",
        "Top users, filtered (empty braces {} when nothing matches)",
    ),
    get(
        "/wsa/api/v2.0/web-tracking/web_transaction?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=wsa&offset=0&limit=20",
        "Web tracking: transactions",
    ),
    get(
        "/wsa/api/v2.0/config/access_policies",
        "Configuration: access policies",
    ),
    post(
        "/wsa/api/v2.0/config/access_policies",
        "Configuration: add an access policy",
        r#"{"access_policies": [{"policy_name": "engineering", "policy_status": "enable", "policy_description": "Engineering web access", "membership": {"identification_profiles": [{"profile_name": "global_identification_profile"}]}}]}"#,
    ),
    put(
        "/wsa/api/v2.0/config/access_policies",
        "Configuration: change access policies",
        r#"{"access_policies": [{"policy_name": "engineering", "policy_status": "disable"}]}"#,
    ),
    delete(
        "/wsa/api/v2.0/config/access_policies?policy_names=engineering",
        "Configuration: delete access policies (names separated by commas)",
    ),
    get(
        "/wsa/api/v2.0/config/identification_profiles",
        "Configuration: identification profiles",
    ),
    get(
        "/wsa/api/v2.0/login/privileges",
        "APIs accessible to this user's role",
    ),
    get("/wsa/api/v2.0/health", "Appliance health"),
];

const SMA: &[Endpoint] = &[
    get(
        "/sma/api/v2.0/reporting/mail_security_summary?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=esa",
        "Mail security summary (ESA reports)",
    ),
    get(
        "/sma/api/v2.0/reporting/mail_incoming_traffic_summary?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=esa",
        "Incoming mail traffic summary",
    ),
    get(
        "/sma/api/v2.0/reporting/mail_incoming_traffic_summary/detected_spam?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=esa",
        "One counter of a report (detected spam)",
    ),
    get(
        "/sma/api/v2.0/reporting/web_services_summary?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=wsa",
        "Web services summary (WSA reports)",
    ),
    get(
        "/sma/api/v2.0/message-tracking/messages?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&ciscoHost=All_Hosts&searchOption=messages&offset=0&limit=20",
        "Message tracking: messages",
    ),
    get(
        "/sma/api/v2.0/message-tracking/details?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&mid=101&icid=9001&serialNumber=4229A4D2B1C9E0F3A1B2-C0FFEE123456",
        "Message tracking: one message's details",
    ),
    get(
        "/sma/api/v2.0/quarantine/messages?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&quarantineType=spam&offset=0&limit=25&orderBy=date&orderDir=desc",
        "Spam quarantine: messages",
    ),
    get(
        "/sma/api/v2.0/quarantine/messages/details?mid=101&quarantineType=spam",
        "Spam quarantine: one message",
    ),
    get(
        "/sma/api/v2.0/config/appliances?device_type=esa",
        "Configuration query: managed appliances (read only)",
    ),
    get(
        "/sma/api/v2.0/login/privileges",
        "APIs accessible to this user's role",
    ),
    get("/sma/api/v2.0/health", "Appliance health"),
];

const ESA: &[Endpoint] = &[
    get(
        "/esa/api/v2.0/reporting/mail_security_summary?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=esa",
        "Mail security summary",
    ),
    get(
        "/esa/api/v2.0/reporting/mail_incoming_traffic_summary?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=esa",
        "Incoming mail traffic summary",
    ),
    get(
        "/esa/api/v2.0/reporting/mail_incoming_traffic_summary/detected_spam?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&device_type=esa",
        "One counter of a report (detected spam)",
    ),
    get(
        "/esa/api/v2.0/message-tracking/messages?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&ciscoHost=All_Hosts&searchOption=messages&offset=0&limit=20",
        "Message tracking: messages",
    ),
    get(
        "/esa/api/v2.0/quarantine/messages?startDate=2024-01-01T00:00:00.000Z&endDate=2024-01-31T00:00:00.000Z&quarantineType=spam&offset=0&limit=25&orderBy=date&orderDir=desc",
        "Spam quarantine: messages",
    ),
    get(
        "/esa/api/v2.0/login/privileges",
        "APIs accessible to this user's role",
    ),
    get("/esa/api/v2.0/health", "Appliance health"),
];

/// The endpoint catalog of a platform (empty for generic).
pub fn endpoints(platform: Platform) -> &'static [Endpoint] {
    match platform {
        Platform::Asa => ASA,
        Platform::Fxos => FXOS,
        Platform::Fmc => FMC,
        Platform::Fdm => FDM,
        Platform::Wsa => WSA,
        Platform::Sma => SMA,
        Platform::Esa => ESA,
        Platform::Generic => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_bodies_are_json_and_paths_absolute() {
        for p in Platform::ALL {
            for e in endpoints(p) {
                assert!(e.path.starts_with('/'), "{}", e.path);
                assert!(e.path.starts_with(p.api_base()), "{}", e.path);
                if let Some(body) = e.body.filter(|b| !b.is_empty()) {
                    serde_json::from_str::<serde_json::Value>(body).expect(e.path);
                }
            }
        }
    }
}
