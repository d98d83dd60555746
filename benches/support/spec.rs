//! A Swagger 2.0 document shaped like the one an FMC serves
//! (`/api/api-explorer/fmc.json`): object types under
//! `/fmc_config/v1/domain/{domainUUID}/object/…`, each with a list (query
//! parameters `offset`, `limit`, `expanded`, `filter`), a create (a body
//! `$ref` to its model, `bulk`), and a get, update and delete by
//! `{objectId}`; shared parameters by `$ref`; models with links, metadata
//! and nested references by `$ref`; FMC-length descriptions.

use serde_json::{Value, json};

/// Operations per object type.
pub const OPERATIONS_PER_TYPE: usize = 5;

/// The spec with `types` object types (5 operations each), as JSON text.
pub fn fmc_shaped(types: usize) -> String {
    let mut paths = serde_json::Map::new();
    let mut definitions = serde_json::Map::new();
    for name in ["ILinks", "IMetadata", "IReference", "PagingContainer"] {
        definitions.insert(name.into(), small_model(name));
    }
    for t in 0..types {
        let kind = format!("widget{t:04}");
        let model = format!("Widget{t:04}Model");
        let tag = format!("Object group {}", t % 40);
        let described = |what: &str| {
            format!(
                "**{what} the {kind} object associated with the specified ID. If no ID is \
                 specified for a GET, retrieves list of all {kind} objects.** \
                 _Check the response section for applicable examples (if any)._ \
                 Permissions: Object Manager - Modify Object Manager. \
                 The {kind} object holds the values shared by access control, NAT and \
                 prefilter policies; changes apply on the next deployment to the devices \
                 that use them."
            )
        };
        let list = format!("/fmc_config/v1/domain/{{domainUUID}}/object/{kind}s");
        paths.insert(
            list.clone(),
            json!({
                "get": {
                    "tags": [tag], "summary": format!("getAll{model}"),
                    "description": described("Retrieves"),
                    "operationId": format!("getAll{model}"),
                    "produces": ["application/json"],
                    "parameters": [
                        {"name": "filter", "in": "query", "required": false, "type": "string",
                         "description": "Value is of format (including quotes): \"name:<name>\"."},
                        {"name": "offset", "in": "query", "required": false, "type": "integer",
                         "description": "Index of first item to return."},
                        {"name": "limit", "in": "query", "required": false, "type": "integer",
                         "description": "Number of items to return."},
                        {"name": "expanded", "in": "query", "required": false, "type": "boolean",
                         "description": "If set to true, the GET response displays a list of objects with additional attributes.",
                         "enum": ["true", "false"]},
                        {"$ref": "#/parameters/domainUUID"}
                    ],
                    "responses": {"200": {"description": "OK",
                        "schema": {"$ref": format!("#/definitions/{model}ListContainer")}}}
                },
                "post": {
                    "tags": [tag], "summary": format!("create{model}"),
                    "description": described("Creates"),
                    "operationId": format!("create{model}"),
                    "consumes": ["application/json"], "produces": ["application/json"],
                    "parameters": [
                        {"name": "bulk", "in": "query", "required": false, "type": "boolean",
                         "description": "Enables bulk create for objects."},
                        {"in": "body", "name": "body", "required": true,
                         "description": "The input object model.",
                         "schema": {"$ref": format!("#/definitions/{model}")}},
                        {"$ref": "#/parameters/domainUUID"}
                    ],
                    "responses": {"201": {"description": "Created",
                        "schema": {"$ref": format!("#/definitions/{model}")}}}
                }
            }),
        );
        let by_id = |method: &str, what: &str| {
            let mut parameters = vec![
                json!({"name": "objectId", "in": "path", "required": true, "type": "string",
                       "description": format!("Identifier for the {kind} object.")}),
                json!({"$ref": "#/parameters/domainUUID"}),
            ];
            if method == "put" {
                parameters.push(json!({"in": "body", "name": "body", "required": true,
                    "description": "The input object model.",
                    "schema": {"$ref": format!("#/definitions/{model}")}}));
            }
            json!({
                "tags": [tag], "summary": format!("{method}{model}"),
                "description": described(what),
                "operationId": format!("{method}{model}"),
                "produces": ["application/json"],
                "parameters": parameters,
                "responses": {"200": {"description": "OK",
                    "schema": {"$ref": format!("#/definitions/{model}")}}}
            })
        };
        paths.insert(
            format!("{list}/{{objectId}}"),
            json!({
                "get": by_id("get", "Retrieves"),
                "put": by_id("put", "Modifies"),
                "delete": by_id("delete", "Deletes"),
            }),
        );
        definitions.insert(model.clone(), widget_model(&kind));
        definitions.insert(
            format!("{model}ListContainer"),
            json!({"type": "object", "properties": {
                "items": {"type": "array", "items": {"$ref": format!("#/definitions/{model}")}},
                "links": {"$ref": "#/definitions/ILinks"},
                "paging": {"$ref": "#/definitions/PagingContainer"}
            }}),
        );
    }
    json!({
        "swagger": "2.0",
        "info": {"title": "Cisco Firepower Management Center Open API Specification",
                 "version": "7.4.1"},
        "host": "fmc.example.net",
        "basePath": "/api",
        "schemes": ["https"],
        "parameters": {"domainUUID": {"name": "domainUUID", "in": "path", "required": true,
            "type": "string", "description": "Domain UUID"}},
        "paths": paths,
        "definitions": definitions,
    })
    .to_string()
}

fn widget_model(kind: &str) -> Value {
    json!({
        "type": "object",
        "required": ["name", "type"],
        "properties": {
            "id": {"type": "string", "description": format!("Unique identifier of the {kind}.")},
            "name": {"type": "string", "description": "User assigned resource name."},
            "type": {"type": "string", "description": "Type of the object; this value is always the object's kind.",
                     "example": kind},
            "description": {"type": "string", "description": "User provided description."},
            "value": {"type": "string", "description": "Actual value of the object."},
            "overridable": {"type": "boolean", "description": "Whether the object can be overridden."},
            "version": {"type": "string", "description": "Version number of the response."},
            "dryRun": {"type": "boolean", "description": "Dry run only; nothing is stored."},
            "links": {"$ref": "#/definitions/ILinks"},
            "metadata": {"$ref": "#/definitions/IMetadata"},
            "parent": {"$ref": "#/definitions/IReference"},
            "objects": {"type": "array", "items": {"$ref": "#/definitions/IReference"}},
            "literals": {"type": "array", "items": {"type": "object", "properties": {
                "type": {"type": "string", "enum": ["Host", "Network", "Range", "FQDN"]},
                "value": {"type": "string"}}}}
        }
    })
}

fn small_model(name: &str) -> Value {
    json!({"type": "object", "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "type": {"type": "string"},
        "self": {"type": "string", "description": format!("{name}: link to this resource.")},
        "timestamp": {"type": "integer"}, "lastUser": {"type": "string"}
    }})
}
