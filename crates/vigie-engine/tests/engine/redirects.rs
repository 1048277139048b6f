//! Redirects: the cap on a chain, and the guard that keeps a public feed from sending Vigie
//! into this machine or its local network (a redirector on 127.0.0.1, nginx behind it).

use crate::support::*;
use std::io::Write;

/// A small HTTP server on 127.0.0.1 that only redirects: `/hop/N` to `/hop/N+1` (a chain
/// without a loop), a path in `targets` to its address, anything else to `fallback`.
fn redirector(fallback: String, targets: Vec<(&'static str, String)>) -> std::net::SocketAddr {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            // Read the headers up to the blank line.
            let mut h = String::new();
            while reader.read_line(&mut h).is_ok_and(|n| n > 2) {
                h.clear();
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let location = match path.strip_prefix("/hop/") {
                Some(n) => format!("/hop/{}", n.parse::<u32>().unwrap_or(0) + 1),
                None => targets
                    .iter()
                    .find(|(p, _)| *p == path)
                    .map_or(fallback.clone(), |(_, t)| t.clone()),
            };
            let _ = write!(
                conn,
                "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    addr
}

#[tokio::test]
async fn redirects_are_capped_and_a_public_address_cannot_send_vigie_inward() {
    use vigie_domain::health::Problem;
    use vigie_engine::fetch::{Conditional, FetchOutcome, Http};
    let nginx = Nginx::start();
    let inside = nginx.url("rss2.xml");
    let nginx_port = url::Url::parse(&inside).unwrap().port().unwrap();
    // Names this test serves on this machine: one stands in for a public feed server; the
    // others resolve inward as an attacker's name (or a LAN name) would.
    let sneaky = format!("http://sneaky.example.com:{nginx_port}/rss2.xml");
    let hop = redirector(inside.clone(), vec![("/sneaky", sneaky)]);
    let local = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let http = Http::new(vigie_engine::fetch::FetchConfig {
        resolve: vec![
            ("feeds.example.com".into(), hop),
            ("sneaky.example.com".into(), local),
            ("intranet.example.com".into(), local),
        ],
        stand_in_public: vec!["feeds.example.com".into()],
        ..fast_fetch()
    });
    let get = |url: String| {
        let http = http.clone();
        async move {
            http.get(&url, &Conditional::default(), Default::default(), NOW)
                .await
        }
    };

    // A chain of redirects without a loop stops at the cap (5).
    let err = get(format!("http://{hop}/hop/0")).await.unwrap_err();
    assert_eq!(err.problem, Problem::TooManyRedirects { max: 5 });
    assert!(err.problem.message().contains("more than 5 times"));

    // A public address redirecting to this machine by its address: refused before connecting.
    let port = hop.port();
    let err = get(format!("http://feeds.example.com:{port}/rss"))
        .await
        .unwrap_err();
    assert_eq!(
        err.problem,
        Problem::RedirectInward {
            host: "127.0.0.1".into()
        }
    );
    assert_eq!(err.status, Some(302));
    assert!(err.problem.message().contains("local network"));
    // …or through a name that resolves here: refused once the connection shows where it went.
    let err = get(format!("http://feeds.example.com:{port}/sneaky"))
        .await
        .unwrap_err();
    assert_eq!(
        err.problem,
        Problem::RedirectInward {
            host: "sneaky.example.com".into()
        }
    );

    // An address on this machine may redirect on this machine (a local server)…
    match get(format!("http://{hop}/rss")).await.unwrap() {
        FetchOutcome::Fetched(f) => assert_eq!(f.final_url, inside),
        other => panic!("{other:?}"),
    }
    // …and so may an intranet name whose server is on the local network.
    let intranet = format!("http://intranet.example.com:{port}/rss");
    match get(intranet).await.unwrap() {
        FetchOutcome::Fetched(f) => assert_eq!(f.final_url, inside),
        other => panic!("{other:?}"),
    }

    // What counts as inward by its name alone.
    for (url, inward) in [
        ("http://127.0.0.1/", true),
        ("http://localhost:8080/", true),
        ("http://printer.localhost/", true),
        ("http://nas/", true),
        ("http://nas.local/", true),
        ("http://box.home.arpa/", true),
        ("http://10.1.2.3/", true),
        ("http://172.16.0.1/", true),
        ("http://192.168.1.1/", true),
        ("http://100.100.1.1/", true),
        ("http://169.254.169.254/latest/meta-data", true),
        ("http://0.0.0.0/", true),
        ("http://2130706433/", true), // 127.0.0.1 written as one number
        ("http://[::1]/", true),
        ("http://[fd00::1]/", true),
        ("http://[fe80::1]/", true),
        ("http://[::ffff:192.168.0.1]/", true),
        ("http://172.32.0.1/", false),
        ("http://100.128.0.1/", false),
        ("https://feeds.example.com/", false),
        ("http://8.8.8.8/", false),
        ("http://[2001:db8::1]/", false),
    ] {
        assert_eq!(
            vigie_engine::fetch::is_inward(&url::Url::parse(url).unwrap()),
            inward,
            "{url}"
        );
    }
}
