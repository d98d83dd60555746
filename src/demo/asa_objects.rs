//! ASA network objects: `/api/objects/networkobjects[/{id}]`.

use serde_json::{Value, json};

use super::asa::{error, message, not_found};
use super::server::{DemoRequest, DemoResponse, percent_decode};

const COLLECTION: &str = "/api/objects/networkobjects";
/// The ASA's default and maximum page size.
const MAX_LIMIT: usize = 100;

/// One network object; its `objectId` is its name.
pub(super) struct NetObject {
    name: String,
    /// `{"kind":"IPv4Address","value":"10.1.1.10"}` and the like.
    host: Value,
    description: Option<String>,
}

/// The objects a fresh demo ASA starts with.
pub(super) fn seed() -> Vec<NetObject> {
    let object = |name: &str, kind: &str, value: &str, description: Option<&str>| NetObject {
        name: name.to_string(),
        host: json!({ "kind": kind, "value": value }),
        description: description.map(str::to_string),
    };
    vec![
        object(
            "web-server",
            "IPv4Address",
            "10.1.1.10",
            Some("Public web front end"),
        ),
        object("db-server", "IPv4Address", "10.1.1.20", None),
        object(
            "dmz-net",
            "IPv4Network",
            "192.168.50.0/24",
            Some("DMZ segment"),
        ),
        object("mgmt-range", "IPv4Range", "10.10.0.1-10.10.0.50", None),
        object("update-server", "IPv4FQDN", "updates.example.com", None),
        object("v6-web-server", "IPv6Address", "2001:db8::10", None),
    ]
}

fn render(object: &NetObject, origin: &str) -> Value {
    let mut value = json!({
        "kind": "object#NetworkObj",
        "selfLink": format!("{origin}{COLLECTION}/{}", object.name),
        "name": object.name,
        "host": object.host,
        "objectId": object.name,
    });
    if let Some(description) = &object.description {
        value["description"] = json!(description);
    }
    value
}

/// `GET` collection, paged with `offset` and `limit`.
pub(super) fn list(objects: &[NetObject], req: &DemoRequest, origin: &str) -> DemoResponse {
    let offset = match number_param(req, "offset", 0, usize::MAX) {
        Ok(n) => n,
        Err(answer) => return answer,
    };
    let limit = match number_param(req, "limit", MAX_LIMIT, MAX_LIMIT) {
        Ok(n) => n,
        Err(answer) => return answer,
    };
    let items: Vec<Value> = objects
        .iter()
        .skip(offset)
        .take(limit)
        .map(|o| render(o, origin))
        .collect();
    DemoResponse::json(
        200,
        &json!({
            "kind": "collection#NetworkObj",
            "selfLink": format!("{origin}{COLLECTION}"),
            "rangeInfo": { "offset": offset, "limit": limit, "total": objects.len() },
            "items": items,
        }),
    )
}

/// A non-negative whole-number query parameter no larger than `max`.
fn number_param(
    req: &DemoRequest,
    name: &str,
    default: usize,
    max: usize,
) -> Result<usize, DemoResponse> {
    let Some(raw) = req.query_param(name) else {
        return Ok(default);
    };
    match raw.parse::<usize>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(error(
            400,
            "INVALID-INPUT",
            &format!("Invalid value '{raw}' for {name}"),
            Some(name),
        )),
    }
}

pub(super) fn get(objects: &[NetObject], id: &str, origin: &str) -> DemoResponse {
    let id = percent_decode(id, false);
    match objects.iter().find(|o| o.name == id) {
        Some(object) => DemoResponse::json(200, &render(object, origin)),
        None => not_found(&format!("Network object {id} not found")),
    }
}

pub(super) fn delete(objects: &mut Vec<NetObject>, id: &str) -> DemoResponse {
    let id = percent_decode(id, false);
    match objects.iter().position(|o| o.name == id) {
        Some(index) => {
            objects.remove(index);
            DemoResponse::empty(204)
        }
        None => not_found(&format!("Network object {id} not found")),
    }
}

/// `POST` collection: 201 with `Location`, or the ASA's validation errors.
pub(super) fn create(
    objects: &mut Vec<NetObject>,
    req: &DemoRequest,
    origin: &str,
) -> DemoResponse {
    let body = match parse_json(req) {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let Some(name) = body
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    else {
        return error(
            400,
            "MISSING-PARAMETER",
            "Required parameter 'name' is missing",
            Some("name"),
        );
    };
    if objects.iter().any(|o| o.name == name) {
        return DemoResponse::json(
            400,
            &json!({ "messages": [
                message(
                    "Error",
                    "DUPLICATE",
                    &format!("Object with name {name} already exists"),
                    Some("objectId"),
                ),
                message(
                    "Warning",
                    "OBJECT-IN-USE-CHECK",
                    "Duplicate check is case-sensitive",
                    None,
                ),
            ]}),
        );
    }
    objects.push(NetObject {
        name: name.to_string(),
        host: body.get("host").cloned().unwrap_or(Value::Null),
        description: body
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
    });
    DemoResponse::empty(201).with_header("Location", &format!("{origin}{COLLECTION}/{name}"))
}

/// The request body as JSON, or the ASA's 400 `JSON-PARSE-ERROR`.
pub(super) fn parse_json(req: &DemoRequest) -> Result<Value, DemoResponse> {
    serde_json::from_slice(&req.body).map_err(|e| {
        error(
            400,
            "JSON-PARSE-ERROR",
            &format!("Could not parse the JSON request body: {e}"),
            None,
        )
    })
}
