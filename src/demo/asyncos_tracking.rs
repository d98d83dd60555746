//! AsyncOS tracking and quarantine queries with canned data: message
//! tracking (SMA, ESA), web tracking (WSA) and the spam quarantine (SMA,
//! ESA). Queries are checked as reporting ones are; a query that matches
//! nothing answers empty `data` braces, as the guide says.

use serde_json::{Value, json};

use super::asyncos::not_found;
use super::asyncos_reporting::{check_query, invalid};
use super::server::{DemoRequest, DemoResponse};

const SERIAL: &str = "4229A4D2B1C9E0F3A1B2-C0FFEE123456";

/// `GET {base}/message-tracking/{messages|details}`.
pub(super) fn message_tracking(resource: &str, req: &DemoRequest) -> DemoResponse {
    match resource {
        "messages" => {
            const ALLOWED: [&str; 10] = [
                "startDate",
                "endDate",
                "ciscoHost",
                "searchOption",
                "offset",
                "limit",
                "envelopeSenderfilterOperator",
                "envelopeSenderfilterValue",
                "envelopeRecipientfilterOperator",
                "envelopeRecipientfilterValue",
            ];
            if let Err(answer) = check_query(req, &ALLOWED, &["startDate", "endDate"]) {
                return answer;
            }
            let rows = messages()
                .into_iter()
                .filter(|m| {
                    matches(req, "envelopeSender", &m["attributes"]["sender"])
                        && matches(req, "envelopeRecipient", &m["attributes"]["recipient"][0])
                })
                .collect();
            listing(req, rows, "num_of_messages")
        }
        "details" => {
            const ALLOWED: [&str; 5] = ["startDate", "endDate", "mid", "icid", "serialNumber"];
            if let Err(answer) = check_query(req, &ALLOWED, &ALLOWED) {
                return answer;
            }
            let number = |name: &str| req.query_param(name).and_then(|v| v.parse::<u64>().ok());
            let wanted = |m: &Value| {
                let a = &m["attributes"];
                a["mid"][0].as_u64() == number("mid")
                    && a["icid"].as_u64() == number("icid")
                    && a["serialNumber"] == req.query_param("serialNumber").unwrap_or_default()
            };
            match messages().into_iter().find(wanted) {
                Some(mut message) => {
                    message["attributes"]["summary"] = json!([
                        {"timestamp": "30 Jan 2024 10:02:09 (GMT +00:00)", "description": "Incoming connection (ICID 9001) from sender_ip: 192.0.2.25"},
                        {"timestamp": "30 Jan 2024 10:02:10 (GMT +00:00)", "description": "Message 101 scanned by Anti-Spam engine: CASE. Interim verdict: Negative"},
                        {"timestamp": "30 Jan 2024 10:02:11 (GMT +00:00)", "description": "Message 101 to jsmith@example.com received remote SMTP response 'ok'"},
                    ]);
                    DemoResponse::json(
                        200,
                        &json!({ "data": { "messages": message["attributes"] } }),
                    )
                }
                None => nothing_matched(),
            }
        }
        _ => not_found(),
    }
}

/// `GET {base}/web-tracking/web_transaction` (WSA).
pub(super) fn web_tracking(resource: &str, req: &DemoRequest) -> DemoResponse {
    if resource != "web_transaction" {
        return not_found();
    }
    const ALLOWED: [&str; 8] = [
        "startDate",
        "endDate",
        "device_type",
        "offset",
        "limit",
        "filterBy",
        "filterValue",
        "transactionStatus",
    ];
    if let Err(answer) = check_query(req, &ALLOWED, &["startDate", "endDate"]) {
        return answer;
    }
    let status = req.query_param("transactionStatus");
    if status.is_some_and(|s| !matches!(s, "allowed" | "blocked" | "warned")) {
        return invalid("transactionStatus");
    }
    let value = req.query_param("filterValue");
    let by = req.query_param("filterBy").unwrap_or("user");
    let rows = transactions()
        .into_iter()
        .filter(|t| {
            let a = &t["attributes"];
            status.is_none_or(|s| a["transactionStatus"] == s)
                && value.is_none_or(|v| a[by].as_str().is_some_and(|f| f.contains(v)))
        })
        .collect();
    listing(req, rows, "totalCount")
}

/// `GET {base}/quarantine/messages` and `{base}/quarantine/messages/details`.
pub(super) fn quarantine(resource: &str, req: &DemoRequest) -> DemoResponse {
    let kind_ok = |req: &DemoRequest| {
        req.query_param("quarantineType")
            .is_none_or(|t| matches!(t, "spam" | "pvo"))
    };
    match resource {
        "messages" => {
            const ALLOWED: [&str; 9] = [
                "startDate",
                "endDate",
                "quarantineType",
                "offset",
                "limit",
                "orderBy",
                "orderDir",
                "envelopeRecipientFilterOperator",
                "envelopeRecipientFilterValue",
            ];
            let required = ["startDate", "endDate", "quarantineType"];
            if let Err(answer) = check_query(req, &ALLOWED, &required) {
                return answer;
            }
            if !kind_ok(req) {
                return invalid("quarantineType");
            }
            let rows = quarantined()
                .into_iter()
                .filter(|m| {
                    req.query_param("envelopeRecipientFilterValue")
                        .is_none_or(|v| m["attributes"]["envelopeRecipient"][0] == v)
                })
                .collect();
            listing(req, rows, "totalCount")
        }
        "messages/details" => {
            if let Err(answer) =
                check_query(req, &["mid", "quarantineType"], &["mid", "quarantineType"])
            {
                return answer;
            }
            if !kind_ok(req) {
                return invalid("quarantineType");
            }
            let mid = req.query_param("mid").and_then(|v| v.parse::<u64>().ok());
            match quarantined().into_iter().find(|m| m["mid"].as_u64() == mid) {
                Some(mut message) => {
                    message["attributes"]["messageBody"] =
                        json!("Congratulations! Claim your prize at http://prize.example.net/");
                    DemoResponse::json(200, &json!({ "data": message }))
                }
                None => nothing_matched(),
            }
        }
        _ => not_found(),
    }
}

/// Whether `field` passes the query's `{name}filterValue` (with
/// `{name}filterOperator` `is` or `begins_with`, the default).
fn matches(req: &DemoRequest, name: &str, field: &Value) -> bool {
    let Some(value) = req.query_param(&format!("{name}filterValue")) else {
        return true;
    };
    let field = field.as_str().unwrap_or_default();
    match req.query_param(&format!("{name}filterOperator")) {
        Some("is") => field == value,
        _ => field.starts_with(value),
    }
}

/// Rows as `{"meta": {count_name: N}, "data": [...]}`, a page of them with
/// `offset` and `limit` (used together, as the guide says); none left is
/// the guide's "nothing matched".
fn listing(req: &DemoRequest, rows: Vec<Value>, count_name: &str) -> DemoResponse {
    let total = rows.len();
    let page = match (req.query_param("offset"), req.query_param("limit")) {
        (Some(offset), Some(limit)) => {
            let Ok(offset) = offset.parse::<usize>() else {
                return invalid("offset");
            };
            let Ok(limit) = limit.parse::<usize>() else {
                return invalid("limit");
            };
            rows.into_iter().skip(offset).take(limit).collect()
        }
        _ => rows,
    };
    if page.is_empty() {
        return nothing_matched();
    }
    DemoResponse::json(
        200,
        &json!({ "meta": { count_name: total, "totalCount": total }, "data": page }),
    )
}

/// The guide: empty braces when no record matches the query.
fn nothing_matched() -> DemoResponse {
    DemoResponse::json(200, &json!({ "meta": { "totalCount": -1 }, "data": {} }))
}

fn messages() -> Vec<Value> {
    let message =
        |mid: u64, icid: u64, sender: &str, recipient: &str, subject: &str, status: &str| {
            json!({ "attributes": {
                "hostName": "esa1.example.com",
                "serialNumber": SERIAL,
                "mid": [mid],
                "icid": icid,
                "sender": sender,
                "recipient": [recipient],
                "subject": subject,
                "direction": "incoming",
                "messageStatus": { mid.to_string(): status },
                "timestamp": "30 Jan 2024 10:02:11 (GMT +00:00)",
            }})
        };
    vec![
        message(
            101,
            9001,
            "billing@vendor.example",
            "jsmith@example.com",
            "Invoice 2024-001",
            "Delivered",
        ),
        message(
            102,
            9002,
            "news@lists.example",
            "akumar@example.com",
            "Weekly digest",
            "Delivered",
        ),
        message(
            103,
            9003,
            "prize@spam.example",
            "mlopez@example.com",
            "You have won",
            "Quarantined as Spam",
        ),
    ]
}

fn transactions() -> Vec<Value> {
    let transaction = |user: &str, url: &str, status: &str, category: &str, bytes: u64| {
        json!({ "attributes": {
            "user": user,
            "url": url,
            "transactionStatus": status,
            "webCategory": category,
            "bandwidth": bytes,
            "timestamp": "2024-01-30T10:02:11.000Z",
        }})
    };
    vec![
        transaction(
            "jsmith@example.com",
            "https://docs.example.com/",
            "allowed",
            "Computers and Internet",
            182_334,
        ),
        transaction(
            "akumar@example.com",
            "http://games.example.net/",
            "blocked",
            "Games",
            0,
        ),
        transaction(
            "mlopez@example.com",
            "https://news.example.org/",
            "allowed",
            "News",
            48_112,
        ),
    ]
}

fn quarantined() -> Vec<Value> {
    let message = |mid: u64, recipient: &str, sender: &str, subject: &str| {
        json!({ "mid": mid, "attributes": {
            "envelopeRecipient": [recipient],
            "toAddress": [recipient],
            "fromAddress": [sender],
            "subject": subject,
            "date": "30 Jan 2024 10:05 (GMT +00:00)",
            "size": "12.1K",
            "esaHostName": "esa1.example.com",
            "inQuarantines": "Spam Quarantine",
        }})
    };
    vec![
        message(
            103,
            "mlopez@example.com",
            "prize@spam.example",
            "You have won",
        ),
        message(
            104,
            "akumar@example.com",
            "deals@spam.example",
            "Cheap watches",
        ),
    ]
}
