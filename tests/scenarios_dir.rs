//! Every committed scenario loads, says what it shows, and names itself after its file.
#[test]
fn every_committed_scenario_is_valid_and_described() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("scenarios/") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let s = afsim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("name");
        assert_eq!(s.name, stem, "{}", path.display());
        assert!(
            s.description.len() > 60,
            "{} needs a description",
            path.display()
        );
        seen += 1;
    }
    assert!(seen >= 5, "found {seen} scenarios");
}
