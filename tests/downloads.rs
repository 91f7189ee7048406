//! `GET /downloads/` on a real `rounds-office serve`: the installers the
//! administrator put in the data directory's `downloads/`, listed in both
//! languages and served whole or by byte range (a cut download resumes),
//! under a Chinese name; hidden files, paths outside the directory and an
//! office without downloads answer 404.

use reqwest::StatusCode;
use reqwest::blocking::Client;
use reqwest::header::{CONTENT_DISPOSITION, RANGE};
use rounds_testkit::process::{OfficeProcess, Program};

#[test]
fn the_office_offers_its_installers_to_anyone_who_reaches_it() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("office");
    let office = Program::office().data(&data);
    office.ok(&["office", "create", "儿科虚拟教研室"]);
    let dir = data.join("downloads");
    std::fs::create_dir_all(&dir).unwrap();
    // Bytes that differ at every position, so a wrong range shows.
    let setup: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dir.join("Rounds-setup-0.1.0.exe"), &setup).unwrap();
    std::fs::write(dir.join("WebView2 运行时 离线安装.exe"), b"MZ runtime").unwrap();
    std::fs::write(dir.join(".Rounds-setup-0.2.0.exe.part"), b"half").unwrap();
    std::fs::write(root.path().join("secret.txt"), b"outside").unwrap();

    let serving = OfficeProcess::serve(&office, "127.0.0.1:0");
    let http = Client::new();
    let get = |path: &str| http.get(format!("{}{path}", serving.url)).send().unwrap();

    let page = get("/downloads/");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().unwrap();
    assert!(
        html.contains("下载") && html.contains("Downloads"),
        "{html}"
    );
    assert!(html.contains("Rounds-setup-0.1.0.exe"), "{html}");
    assert!(html.contains("WebView2 运行时 离线安装.exe"), "{html}");
    assert!(html.contains("300 KB"), "{html}");
    assert!(
        !html.contains(".part"),
        "a hidden file is not offered: {html}"
    );
    assert_eq!(get("/downloads").status(), StatusCode::OK);

    let whole = get("/downloads/Rounds-setup-0.1.0.exe");
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(
        whole.headers()[CONTENT_DISPOSITION],
        "attachment; filename*=UTF-8''Rounds-setup-0.1.0.exe"
    );
    assert_eq!(whole.bytes().unwrap().as_ref(), setup.as_slice());

    // A download cut off at 100,000 bytes goes on from there.
    let rest = http
        .get(format!("{}/downloads/Rounds-setup-0.1.0.exe", serving.url))
        .header(RANGE, "bytes=100000-")
        .send()
        .unwrap();
    assert_eq!(rest.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(rest.bytes().unwrap().as_ref(), &setup[100_000..]);

    // The Chinese name, as a browser sends it (percent-encoded UTF-8).
    let runtime = get(
        "/downloads/WebView2%20%E8%BF%90%E8%A1%8C%E6%97%B6%20%E7%A6%BB%E7%BA%BF%E5%AE%89%E8%A3%85.exe",
    );
    assert_eq!(runtime.status(), StatusCode::OK);
    assert_eq!(
        runtime.headers()[CONTENT_DISPOSITION],
        "attachment; filename*=UTF-8''WebView2%20%E8%BF%90%E8%A1%8C%E6%97%B6%20%E7%A6%BB%E7%BA%BF%E5%AE%89%E8%A3%85.exe"
    );
    assert_eq!(runtime.bytes().unwrap().as_ref(), b"MZ runtime");

    for refused in [
        "/downloads/.Rounds-setup-0.2.0.exe.part",
        "/downloads/%2ERounds-setup-0.2.0.exe.part",
        "/downloads/../secret.txt",
        "/downloads/%2E%2E/secret.txt",
        "/downloads/..%2Fsecret.txt",
        "/downloads/no-such-file.exe",
        "/downloads/%FF.exe",
    ] {
        let r = get(refused);
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{refused}");
        let body: serde_json::Value = r.json().unwrap();
        assert_eq!(body["code"], "not_found", "{refused}");
    }
    drop(serving);

    // An office whose administrator offers nothing has no such page.
    let bare = tempfile::tempdir().unwrap();
    let other = Program::office().data(bare.path());
    other.ok(&["office", "create", "另一个教研室"]);
    let serving = OfficeProcess::serve(&other, "127.0.0.1:0");
    let r = http
        .get(format!("{}/downloads/", serving.url))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
