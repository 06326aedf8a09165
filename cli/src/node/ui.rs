//! The bounty board page (`ui/` at the repository root), embedded in the binary and served on
//! GET outside `/rpc/*`: plain ES modules with no build step and no third-party code, so a user
//! needs neither npm nor a network beyond the node. The page reads only through the node's
//! public JSON-RPC; the one thing it takes from here besides its files is `/interface.json`,
//! the suite's FRC-42 method numbers, generated from `suite-interfaces` so that they cannot
//! drift from the actors'.

use serde_json::{json, Map, Value};
use tiny_http::{Header, Method, Request, Response, StatusCode};

/// Every file of the page: path, content type, bytes.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "/index.html",
        "text/html; charset=utf-8",
        include_str!("../../../ui/index.html"),
    ),
    (
        "/style.css",
        "text/css; charset=utf-8",
        include_str!("../../../ui/style.css"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../ui/app.js"),
    ),
    (
        "/chain.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../ui/chain.js"),
    ),
    (
        "/cbor.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../ui/cbor.js"),
    ),
    (
        "/format.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../ui/format.js"),
    ),
];

/// The page loads nothing from elsewhere and talks only to its own origin; the browser enforces
/// it (the bars' widths are set through the CSSOM, which CSP allows).
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `{"methods": {name: number}}` for every method the suite knows by name.
pub fn interface() -> Value {
    let methods: Map<String, Value> = suite_interfaces::METHOD_NAMES
        .iter()
        .map(|(number, name)| (name.to_string(), json!(number)))
        .collect();
    json!({ "methods": methods })
}

/// What a GET of `path` answers: status, content type, body.
pub fn asset(path: &str) -> (u16, &'static str, Vec<u8>) {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = if path == "/" { "/index.html" } else { path };
    if path == "/interface.json" {
        return (200, "application/json", interface().to_string().into_bytes());
    }
    match ASSETS.iter().find(|(p, _, _)| *p == path) {
        Some((_, content_type, body)) => (200, content_type, body.as_bytes().to_vec()),
        None => (
            404,
            "text/plain; charset=utf-8",
            format!("no page at {path}: the bounty board is at /, JSON-RPC at POST /rpc/v1\n").into_bytes(),
        ),
    }
}

/// Whether `request` is for the page (a GET or HEAD outside the JSON-RPC paths).
pub fn wants_page(request: &Request) -> bool {
    matches!(request.method(), Method::Get | Method::Head) && !request.url().starts_with("/rpc/")
}

/// Answers a GET or HEAD of the page.
pub fn serve(request: Request) {
    let (status, content_type, body) = asset(request.url());
    let header = |name: &str, value: &str| Header::from_bytes(name, value).expect("static header");
    let response = Response::from_data(body)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", content_type))
        .with_header(header("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        // The assets change only with the binary; revalidating each load keeps an upgraded
        // node's page from mixing old and new modules.
        .with_header(header("Cache-Control", "no-cache"));
    tracing::debug!(target: "suite::node::http", status, url = request.url(), "page");
    if let Err(e) = request.respond(response) {
        tracing::debug!("client went away: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_page_and_every_module_it_imports_is_served() {
        let (status, content_type, body) = asset("/");
        assert_eq!((status, content_type), (200, "text/html; charset=utf-8"));
        let html = String::from_utf8(body).unwrap();
        assert!(html.contains(r#"src="app.js""#));
        // Every relative import of every module resolves to an embedded asset.
        let mut imports = 0;
        for (path, _, text) in ASSETS.iter().filter(|(p, _, _)| p.ends_with(".js")) {
            for line in text.lines().filter(|l| l.starts_with("import ")) {
                let module = line.rsplit("from '").next().unwrap().trim_end_matches('\'');
                let module = module.strip_prefix('.').unwrap_or(module);
                assert_eq!(
                    asset(module).0,
                    200,
                    "{path} imports {module}, which is not served"
                );
                imports += 1;
            }
        }
        assert!(
            imports >= 4,
            "app.js and chain.js import the other modules: {imports}"
        );
    }

    #[test]
    fn unknown_paths_are_404_with_a_pointer_to_the_page() {
        let (status, _, body) = asset("/nope.js?x=1");
        assert_eq!(status, 404);
        assert!(String::from_utf8(body)
            .unwrap()
            .contains("the bounty board is at /"));
    }

    #[test]
    fn the_interface_has_the_getters_the_page_calls_with_their_frc42_numbers() {
        let methods = &interface()["methods"];
        use suite_interfaces::{bounty, escrow, reputation};
        assert_eq!(methods["ListBounties"], json!(bounty::METHOD_LIST_BOUNTIES));
        assert_eq!(methods["GetClaim"], json!(bounty::METHOD_GET_CLAIM));
        assert_eq!(methods["ListLocks"], json!(escrow::METHOD_LIST_LOCKS));
        assert_eq!(methods["GetReputation"], json!(reputation::METHOD_GET_REPUTATION));
        // The page's chain.js names each getter it calls; each must be in the interface.
        let chain = ASSETS.iter().find(|(p, _, _)| *p == "/chain.js").unwrap().2;
        let called: Vec<&str> = chain
            .split('\'')
            .filter(|s| s.starts_with("Get") || s.starts_with("List"))
            .collect();
        assert!(called.len() >= 9, "chain.js calls nine getters: {called:?}");
        for name in called {
            assert!(
                methods.get(name).is_some(),
                "chain.js calls {name}, unknown to the interface"
            );
        }
    }
}
