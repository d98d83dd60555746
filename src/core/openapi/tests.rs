use super::*;

fn fixture(name: &str) -> Vec<Operation> {
    let path = format!(
        "{}/tests/fixtures/openapi/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    parse_spec(&std::fs::read(path).unwrap()).unwrap()
}

fn find<'a>(ops: &'a [Operation], method: &str, path: &str) -> &'a Operation {
    ops.iter()
        .find(|o| o.method == method && o.path == path)
        .unwrap_or_else(|| panic!("no {method} {path} in {ops:#?}"))
}

fn names(op: &Operation) -> Vec<(&str, &str, bool)> {
    op.parameters
        .iter()
        .map(|p| (p.name.as_str(), p.location.as_str(), p.required))
        .collect()
}

#[test]
fn swagger2_reads_base_path_tags_and_shared_parameters() {
    let ops = fixture("swagger2.json");
    assert_eq!(ops.len(), 6);
    let list = find(
        &ops,
        "GET",
        "/api/fmc_config/v1/domain/{domainUUID}/object/networks",
    );
    assert_eq!(list.tag, "Object");
    assert_eq!(list.operation_id, "getAllNetworkObject");
    assert_eq!(list.summary, "Retrieves the network objects");
    assert!(list.description.contains("Paged with offset"));
    assert_eq!(
        names(list),
        [
            ("domainUUID", "path", true),
            ("limit", "query", false),
            ("expanded", "query", false),
            ("filter", "query", false),
        ]
    );
    assert_eq!(list.parameters[2].choices, ["true", "false"]);
    assert_eq!(
        list.parameters[3].choices,
        ["unusedOnly:true", "nameOrValue:"]
    );
    assert_eq!(list.body, None);
    let one = find(
        &ops,
        "DELETE",
        "/api/fmc_config/v1/domain/{domainUUID}/object/networks/{objectId}",
    );
    assert_eq!(
        names(one),
        [("domainUUID", "path", true), ("objectId", "path", true)]
    );
}

#[test]
fn swagger2_body_skeleton_comes_from_the_schema_and_its_examples() {
    let ops = fixture("swagger2.json");
    let create = find(
        &ops,
        "POST",
        "/api/fmc_config/v1/domain/{domainUUID}/object/networks",
    );
    let body: Value = serde_json::from_str(create.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["name"], "web-net");
    assert_eq!(body["value"], "10.1.1.0/24");
    assert_eq!(body["type"], "Network");
    assert_eq!(body["overridable"], false);
    // The self-reference stops at the depth cap instead of recursing forever.
    assert!(body["parent"]["parent"].is_object());
    assert_eq!(
        names(create),
        [("domainUUID", "path", true)],
        "the body is no form parameter"
    );
}

#[test]
fn cyclic_and_dangling_refs_are_cut_not_followed() {
    let ops = fixture("swagger2.json");
    let put = find(&ops, "PUT", "/api/loops");
    assert_eq!(put.body.as_deref(), Some("null"));
    assert!(put.parameters.is_empty());
    assert_eq!(put.tag, "Hostile");
}

#[test]
fn openapi3_yaml_reads_servers_refs_enums_and_examples() {
    let ops = fixture("openapi3.yaml");
    assert_eq!(ops.len(), 4);
    let list = find(&ops, "GET", "/api/fdm/latest/object/networks");
    assert_eq!(
        names(list),
        [("offset", "query", false), ("sort", "query", false)]
    );
    assert_eq!(list.parameters[1].choices, ["name", "value"]);
    let add = find(&ops, "POST", "/api/fdm/latest/object/networks");
    assert_eq!(add.summary, "Create a network object");
    assert!(add.description.starts_with("Creates a network object."));
    let body: Value = serde_json::from_str(add.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body["name"], "web-server",
        "the example wins over the schema"
    );
    let edit = find(&ops, "PUT", "/api/fdm/latest/object/networks/{objId}");
    assert_eq!(names(edit), [("objId", "path", true)]);
    let body: Value = serde_json::from_str(edit.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"name": "", "subType": "HOST", "value": "", "type": "networkobject"})
    );
    let delete = find(&ops, "DELETE", "/api/fdm/latest/object/networks/{objId}");
    assert_eq!(
        delete.summary, "Deletes a network object",
        "from the description"
    );
}

#[test]
fn openapi31_json_with_type_lists_is_read() {
    let spec = br#"{"openapi": "3.1.0", "paths": {"/a": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": ["object", "null"], "properties": {"n": {"type": ["integer", "null"]}}}}}}}}}}"#;
    let ops = parse_spec(spec).unwrap();
    assert_eq!(ops[0].path, "/a");
    assert_eq!(ops[0].body.as_deref(), Some("{\n  \"n\": 0\n}"));
}

#[test]
fn yaml_alias_bombs_are_refused() {
    let mut bomb = String::from("openapi: 3.0.0\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut prev = 'a';
    for name in ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
        prev = name;
    }
    bomb.push_str("paths: {}\n");
    let err = parse_spec(bomb.as_bytes()).unwrap_err();
    assert!(err.message.contains("YAML"), "{}", err.message);
}

#[test]
fn deep_nesting_and_huge_files_are_refused() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse_spec(deep.as_bytes()).is_err());
    let deep_yaml = format!(
        "openapi: 3.0.0\npaths: {}{}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(parse_spec(deep_yaml.as_bytes()).is_err());
    let huge = vec![b' '; MAX_SPEC_BYTES + 1];
    assert!(parse_spec(&huge).unwrap_err().message.contains("more than"));
}

#[test]
fn documents_that_are_no_spec_are_refused() {
    for bad in [
        &b"[]"[..],
        b"{}",
        b"openapi: 2.0\npaths: {}",
        b"swagger: '2.0'",
        b"\xff\xfe",
    ] {
        assert!(
            parse_spec(bad).is_err(),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn a_large_string_repeated_by_aliases_is_refused_before_it_is_expanded() {
    let big = "x".repeat(1 << 20);
    let refs = vec!["*s"; 5_000].join(", ");
    let spec = format!("openapi: 3.0.0\nx: &s \"{big}\"\ny: [{refs}]\npaths: {{}}\n");
    let err = parse_spec(spec.as_bytes()).unwrap_err();
    assert!(err.message.contains("anchor or alias"), "{}", err.message);
    // An ampersand or asterisk inside text is no anchor.
    let plain = "openapi: 3.0.0\ninfo: {title: R & D}\npaths:\n  /a:\n    get:\n      summary: Use &amp; and *all* here\n";
    assert_eq!(parse_spec(plain.as_bytes()).unwrap().len(), 1);
}

#[test]
fn a_schema_that_refers_to_itself_from_many_properties_stays_small() {
    let properties: Vec<String> = (0..100)
        .map(|i| format!("\"p{i}\": {{\"$ref\": \"#/components/schemas/S\"}}"))
        .collect();
    let spec = format!(
        r##"{{"openapi": "3.0.0",
            "paths": {{"/a": {{"post": {{"requestBody": {{"content": {{"application/json":
                {{"schema": {{"$ref": "#/components/schemas/S"}}}}}}}}}}}}}},
            "components": {{"schemas": {{"S": {{"type": "object", "properties": {{{}}}}}}}}}}}"##,
        properties.join(", ")
    );
    let ops = parse_spec(spec.as_bytes()).unwrap();
    let body = ops[0].body.as_deref().unwrap();
    assert!(body.len() < 2 << 20, "{} bytes", body.len());
}

#[test]
fn a_large_example_shared_by_many_operations_is_bounded_in_total() {
    let example = format!("\"{}\"", "x".repeat(4 << 20));
    let paths: Vec<String> = (0..40)
        .map(|i| format!("\"/p{i}\": {{\"$ref\": \"#/x-shared\"}}"))
        .collect();
    let spec = format!(
        r##"{{"openapi": "3.0.0",
            "x-shared": {{"post": {{"requestBody": {{"content": {{"application/json":
                {{"example": {example}}}}}}}}}}},
            "paths": {{{}}}}}"##,
        paths.join(", ")
    );
    match parse_spec(spec.as_bytes()) {
        Ok(ops) => {
            let total: usize = ops
                .iter()
                .filter_map(|o| o.body.as_ref())
                .map(String::len)
                .sum();
            assert!(total <= MAX_OUTPUT, "{total}");
        }
        // Or it stopped at the parse budget of the $refs, before either.
        Err(e) => assert!(
            e.message.contains("of text") || e.message.contains("$refs"),
            "{}",
            e.message
        ),
    }
}

#[test]
fn refs_that_make_each_operation_parse_a_large_target_are_bounded() {
    // 2,000 operations whose bodies refer to one schema of 400 KB (larger
    // than the targets kept parsed): reading each body would parse it again,
    // 800 MB in all.
    let properties: Vec<String> = (0..8_000)
        .map(|i| format!("\"property{i:05}\": {{\"type\": \"string\"}}"))
        .collect();
    let paths: Vec<String> = (0..2_000)
        .map(|i| {
            format!(
                "\"/p{i}\": {{\"post\": {{\"requestBody\": {{\"content\": {{\"application/json\":
                    {{\"schema\": {{\"$ref\": \"#/components/schemas/Big\"}}}}}}}}}}}}"
            )
        })
        .collect();
    let spec = format!(
        r##"{{"openapi": "3.0.0", "paths": {{{}}},
            "components": {{"schemas": {{"Big": {{"type": "object", "properties": {{{}}}}}}}}}}}"##,
        paths.join(", "),
        properties.join(", ")
    );
    assert!(spec.len() < 1 << 20);
    let err = parse_spec(spec.as_bytes()).unwrap_err();
    assert!(err.message.contains("$refs"), "{}", err.message);
}

#[test]
fn a_parameter_shared_by_ref_is_not_copied_into_each_list() {
    // One large parameter, referred to 100,000 times from one list (kept
    // to the first 256) and from 2,000 operations: shared, never copied,
    // and each spelling of its pointer is the same place.
    let pad = vec!["0"; 60_000].join(",");
    let refs = vec![r##"{"$ref": "#/parameters/T"}"##; 100_000].join(",");
    let paths: Vec<String> = (0..2_000)
        .map(|i| {
            let spelling = if i % 2 == 0 { "T" } else { "T~1" };
            format!(
                r##""/p{i}": {{"get": {{"parameters": [{{"$ref": "#/parameters/{spelling}"}}]}}}}"##
            )
        })
        .collect();
    let spec = format!(
        r##"{{"swagger": "2.0", "paths": {{"/x": {{"get": {{"parameters": [{refs}]}}}}, {}}},
            "parameters": {{"T": {{"name": "t", "in": "query", "x-pad": [{pad}]}},
                            "T/": {{"name": "u", "in": "query", "x-pad": [{pad}]}}}}}}"##,
        paths.join(", ")
    );
    let ops = parse_spec(spec.as_bytes()).unwrap();
    assert_eq!(ops.len(), 2_001);
    assert_eq!(ops[0].parameters.len(), 256, "the first 256 of the list");
    assert_eq!(ops[1].parameters[0].name, "t");
    assert_eq!(ops[2].parameters[0].name, "u");
}

#[test]
fn a_path_given_twice_is_read_once_with_its_last_value() {
    let spec = r#"{"openapi": "3.0.0", "paths": {
        "/a": {"get": {"summary": "first"}},
        "/b": {"get": {}},
        "/a": {"get": {"summary": "last"}}}}"#;
    let ops = parse_spec(spec.as_bytes()).unwrap();
    let summaries: Vec<(&str, &str)> = ops
        .iter()
        .map(|o| (o.path.as_str(), o.summary.as_str()))
        .collect();
    assert_eq!(summaries, [("/a", "last"), ("/b", "")]);
}
