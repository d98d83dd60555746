//! AsyncOS `GET {base}/reporting/{counter}`: query validation as the
//! appliances do it, and canned counter data.

use serde_json::{Value, json};

use super::asyncos::{error, not_found};
use super::server::{DemoRequest, DemoResponse};
use crate::core::platform::Platform;

/// Query attributes the reporting API understands; anything else is a 404
/// "Unexpected attribute".
const ATTRIBUTES: [&str; 12] = [
    "startDate",
    "endDate",
    "device_type",
    "device_name",
    "filterBy",
    "filterValue",
    "filterOperator",
    "orderBy",
    "orderDir",
    "offset",
    "limit",
    "top",
];

fn counters(product: Platform) -> &'static [&'static str] {
    match product {
        Platform::Wsa => &[
            "web_malware_category_malware_name_user_detail",
            "web_services_summary",
            "web_top_users",
        ],
        Platform::Sma => &[
            "mail_security_summary",
            "mail_incoming_traffic_summary",
            "web_services_summary",
        ],
        Platform::Esa => &["mail_security_summary", "mail_incoming_traffic_summary"],
        _ => &[],
    }
}

/// `GET {base}/reporting/{report}` or `{base}/reporting/{report}/{counter}`.
pub(super) fn report(product: Platform, resource: &str, req: &DemoRequest) -> DemoResponse {
    let (counter, single) = match resource.split_once('/') {
        Some((report, counter)) => (report, Some(counter)),
        None => (resource, None),
    };
    if !counters(product).contains(&counter) {
        return not_found();
    }
    // The SMA and ESA report for managed devices and need to know which kind.
    let device_type_required = matches!(product, Platform::Sma | Platform::Esa);
    let mut required = vec!["startDate", "endDate"];
    if device_type_required {
        required.push("device_type");
    }
    if let Err(answer) = check_query(req, &ATTRIBUTES, &required) {
        return answer;
    }
    if let Some(device_type) = req.query_param("device_type")
        && !matches!(device_type, "wsa" | "esa")
    {
        return invalid("device_type");
    }
    if let Some(name) = single {
        return one_counter(data(counter), counter, name);
    }
    let answer = match req.query_param("filterValue") {
        Some(value) => {
            let exact = match req.query_param("filterOperator") {
                None | Some("begins_with") => false,
                Some("is") => true,
                Some(_) => return invalid("filterOperator"),
            };
            filtered(data(counter), req.query_param("filterBy"), value, exact)
        }
        None => data(counter),
    };
    DemoResponse::json(200, &answer)
}

/// The rows whose `by` field (any field without one) is or begins with
/// `value`; none left is the appliance's "nothing matched": empty `data`.
fn filtered(mut answer: Value, by: Option<&str>, value: &str, exact: bool) -> Value {
    let matches = |field: &Value| {
        field.as_str().is_some_and(|s| {
            if exact {
                s == value
            } else {
                s.starts_with(value)
            }
        })
    };
    let Some(rows) = answer["data"]["resultSet"].as_array_mut() else {
        return answer;
    };
    rows.retain(|row| match by {
        Some(by) => row.get(by).is_some_and(matches),
        None => row.as_object().is_some_and(|o| o.values().any(matches)),
    });
    if rows.is_empty() {
        return json!({ "meta": { "totalCount": -1 }, "data": {} });
    }
    let count = rows.len();
    answer["meta"]["totalCount"] = json!(count);
    answer
}

/// Checks a query as the appliances do: an attribute the resource does
/// not know is a 404 "Unexpected attribute", a missing required one a
/// 400, and `startDate`/`endDate` must be timestamps.
pub(super) fn check_query(
    req: &DemoRequest,
    allowed: &[&str],
    required: &[&str],
) -> Result<(), DemoResponse> {
    if let Some((name, _)) = req
        .query
        .iter()
        .find(|(n, _)| !allowed.contains(&n.as_str()))
    {
        return Err(error(404, &format!("Unexpected attribute - {name}.")));
    }
    if let Some(missing) = required.iter().find(|n| req.query_param(n).is_none()) {
        return Err(error(
            400,
            &format!("Missing required parameter - {missing}."),
        ));
    }
    for name in ["startDate", "endDate"] {
        if req.query_param(name).is_some_and(|v| !valid_timestamp(v)) {
            return Err(invalid(name));
        }
    }
    Ok(())
}

/// One counter of a summary report: `resultSet` holds just that counter.
fn one_counter(mut answer: Value, report: &str, name: &str) -> DemoResponse {
    let value = answer["data"]["resultSet"].get(name).cloned();
    match value {
        Some(value) => {
            answer["data"]["type"] = json!(format!("{report}/{name}"));
            answer["data"]["resultSet"] = json!({ name: value });
            DemoResponse::json(200, &answer)
        }
        None => not_found(),
    }
}

pub(super) fn invalid(name: &str) -> DemoResponse {
    error(400, &format!("Invalid value for parameter - {name}."))
}

/// `2024-01-30T00:00:00.000Z` (digits checked, ranges loosely).
fn valid_timestamp(value: &str) -> bool {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:dd.dddZ";
    let bytes = value.as_bytes();
    let shaped = bytes.len() == SHAPE.len()
        && bytes.iter().zip(SHAPE).all(|(b, s)| match s {
            b'd' => b.is_ascii_digit(),
            other => b == other,
        });
    let field = |range: std::ops::Range<usize>| {
        value
            .get(range)
            .and_then(|s| s.parse::<u8>().ok())
            .unwrap_or(u8::MAX)
    };
    shaped
        && (1..=12).contains(&field(5..7))
        && (1..=31).contains(&field(8..10))
        && field(11..13) < 24
}

fn data(counter: &str) -> Value {
    let summary = |result: Value| json!({ "meta": { "totalCount": -1 }, "data": { "type": counter, "resultSet": result } });
    let rows = |rows: Vec<Value>| json!({ "meta": { "totalCount": rows.len() }, "data": { "type": counter, "resultSet": rows } });
    match counter {
        "web_services_summary" => summary(json!({
            "total_allowed_transaction_count": 1_284_377,
            "total_blocked_transaction_count": 18_204,
            "total_malware_transaction_count": 311,
            "total_url_filtering_blocked_count": 15_870,
            "total_web_reputation_blocked_count": 2_023,
            "total_transaction_count": 1_302_581,
        })),
        "mail_security_summary" => summary(json!({
            "received_spam_msgs": 48_211,
            "received_virus_msgs": 97,
            "received_stopped_by_content_filter_msgs": 1_402,
            "received_clean_msgs": 210_334,
            "received_graymail_msgs": 12_845,
            "received_total_msgs": 272_889,
        })),
        "mail_incoming_traffic_summary" => summary(json!({
            "blocked_reputation": 190_422,
            "detected_spam": 48_211,
            "detected_virus": 97,
            "detected_amp": 12,
            "threat_content_filter": 1_402,
            "total_graymail_recipients": 12_845,
            "total_clean_recipients": 210_334,
            "total_recipients": 463_323,
        })),
        "web_top_users" => rows(vec![
            json!({ "user": "jsmith@example.com", "transactions": 48_220, "bandwidth_bytes": 9_812_334_112_u64 }),
            json!({ "user": "akumar@example.com", "transactions": 31_004, "bandwidth_bytes": 4_100_220_019_u64 }),
            json!({ "user": "mlopez@example.com", "transactions": 22_871, "bandwidth_bytes": 2_930_118_442_u64 }),
        ]),
        _ => rows(vec![
            json!({ "malware_category": "Trojan", "malware_name": "Trojan.GenericKD", "user": "jsmith@example.com", "transactions": 14 }),
            json!({ "malware_category": "Adware", "malware_name": "Adware.Agent", "user": "akumar@example.com", "transactions": 6 }),
        ]),
    }
}
