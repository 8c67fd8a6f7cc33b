//! Keeps the app's command surface in one shape: the handler list (lib.rs), the commands declared
//! to Tauri's ACL (build.rs, which makes unlisted commands refused) and the capability that allows
//! them to the main window are the same set; the UI calls only those; and the capability grants
//! no plugin permission (no filesystem, shell, dialog or opener access from the page).

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    fn quoted_names(text: &str) -> BTreeSet<String> {
        text.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
        let from = text.find(start).expect("start marker") + start.len();
        let len = text[from..].find(end).expect("end marker");
        &text[from..from + len]
    }

    #[test]
    fn handlers_acl_and_capability_list_the_same_commands_and_nothing_else() {
        let build = include_str!("../build.rs");
        let declared = quoted_names(between(build, "const COMMANDS: &[&str] = &[", "];"));

        let lib = include_str!("lib.rs");
        let handlers: BTreeSet<String> = between(lib, "generate_handler![", "])")
            .split(',')
            .map(|h| h.trim().rsplit("::").next().unwrap_or("").to_string())
            .filter(|h| !h.is_empty())
            .collect();
        assert_eq!(declared, handlers, "build.rs COMMANDS vs lib.rs handlers");

        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/default.json")).expect("json");
        let permissions: BTreeSet<String> = capability["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .map(|p| p.as_str().expect("a permission identifier").to_string())
            .collect();
        let expected: BTreeSet<String> = declared
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .chain(["core:event:default".to_string()])
            .collect();
        assert_eq!(permissions, expected, "capabilities/default.json");
        assert_eq!(capability["windows"], serde_json::json!(["main"]));

        // Every command the UI calls is declared (and so is allowed).
        let ipc = include_str!("../../ui/src/lib/ipc.ts");
        for call in ipc.split("call<").skip(1).filter(|c| !c.starts_with("T>(")) {
            let name = call.split('\'').nth(1).expect("command name in quotes");
            assert!(declared.contains(name), "the UI calls {name}, not declared");
        }
    }

    #[test]
    fn the_csp_allows_no_inline_script_and_no_remote_content() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).expect("json");
        let csp = conf["app"]["security"]["csp"]
            .as_str()
            .expect("a CSP string");
        assert!(csp.contains("script-src 'self';"), "{csp}");
        for forbidden in [
            "unsafe-inline",
            "unsafe-eval",
            "http:",
            "https:",
            "*",
            "data: ;",
        ] {
            let scripts = between(csp, "script-src", ";");
            assert!(
                !scripts.contains(forbidden),
                "script-src allows {forbidden}: {csp}"
            );
        }
        for directive in csp.split(';').map(str::trim) {
            for source in directive.split_whitespace().skip(1) {
                let local = source.starts_with('\'')
                    || matches!(source, "data:" | "ipc:" | "http://ipc.localhost");
                assert!(local, "remote source {source} in {directive}");
            }
        }
    }
}
