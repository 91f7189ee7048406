//! Who you are on this device (`profile`), and generated documents for
//! trying Rounds with a large library (`generate`).

use std::path::Path;

use serde_json::json;

use crate::args::{GenerateArgs, ProfileArgs};
use crate::common::{Failure, data_dir, open, print_json};

pub fn profile(data: Option<&Path>, a: ProfileArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    if let Some(n) = a.name {
        store.set_user_name(&n)?;
    }
    let dir = data_dir(data)?;
    let v = json!({
        "name": store.user_name(),
        "user_id": store.user_id(),
        "actor": store.actor().to_hex_string(),
        "data": dir.display().to_string(),
    });
    if a.json {
        print_json(&v);
    } else {
        outln!(
            "name:    {}\nuser id: {}\ndevice:  {}\ndata:    {}",
            v["name"].as_str().unwrap_or(""),
            store.user_id(),
            v["actor"].as_str().unwrap_or(""),
            dir.display()
        );
    }
    Ok(())
}

pub fn generate(data: Option<&Path>, a: GenerateArgs) -> Result<(), Failure> {
    let mut store = open(data)?;
    let ids = store.generate(a.count, a.seed, a.body)?;
    outln!("added {} generated documents", ids.len());
    Ok(())
}
