//! Editing one row of a list field: `rounds edit ID --add process
//! stage=导入 minutes=5`, `--change process:2 minutes=10`, `--move
//! process:3 --to 1`, `--remove objectives:ab12`.
//!
//! Works for every list field of every kind by walking the kind's
//! declaration (`FieldType::List { item, .. }`); no field is named here.
//! The edits become the whole new list, read from the document's JSON in
//! the save's own transaction: rows left alone are passed by their id
//! only, changed rows by their id and the changed item fields, new rows
//! without an id. The core's list merge then does the rest, per element:
//! a removed row is flagged removed (not lost), a moved row only gets a new
//! order key, and a colleague's concurrent edits to other rows survive.
//!
//! A row is named by its position as `rounds show` lists it (from 1), by
//! its element id, or by a unique start of the id (a number is always a
//! position, so a start of an id must include a letter). Every row reference
//! means the row as it was before the command (what `rounds show`
//! showed), so `--remove objectives:1 --remove objectives:2` removes the
//! first two rows; positions to place a row at (`--add FIELD:POSITION`,
//! `--to POSITION`) count in the list as the edits before it left it.

use std::collections::HashMap;

use clap::error::ErrorKind;
use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use rounds_core::doc::DocError;
use rounds_core::schema::{DocKind, Field, FieldType, Lang};
use serde_json::{Map, Value as Json, json};

use crate::common::Failure;

const ADD: &str = "add";
const CHANGE: &str = "change";
const MOVE: &str = "move";
const TO: &str = "to";
const REMOVE: &str = "remove";

/// The row edits given on the command line, in the order they were given.
#[derive(Debug, Clone, Default)]
pub struct RowEdits(Vec<RowFlag>);

#[derive(Debug, Clone)]
struct RowFlag {
    flag: Flag,
    /// The flag's values: `FIELD[:ROW]`, then `ITEM=VALUE`s.
    values: Vec<String>,
}

#[derive(Debug, Clone)]
enum Flag {
    Add,
    Change,
    Move { to: String },
    Remove,
}

impl RowFlag {
    /// The flag as typed, to say which one an error is about.
    fn typed(&self) -> String {
        let name = match &self.flag {
            Flag::Add => ADD,
            Flag::Change => CHANGE,
            Flag::Move { .. } => MOVE,
            Flag::Remove => REMOVE,
        };
        let mut s = format!("--{name} {}", self.values.join(" "));
        if let Flag::Move { to } = &self.flag {
            s.push_str(&format!(" --{TO} {to}"));
        }
        s
    }
}

impl Args for RowEdits {
    fn augment_args(cmd: Command) -> Command {
        cmd.arg(
            Arg::new(ADD)
                .long(ADD)
                .value_names(["FIELD[:POSITION]", "ITEM=VALUE"])
                .num_args(1..)
                .action(ArgAction::Append)
                .help(
                    "Add a row to a list field, at the end or at POSITION: \
                     `--add process stage=导入 minutes=5`, `--add objectives:1 text=…`",
                ),
        )
        .arg(
            Arg::new(CHANGE)
                .long(CHANGE)
                .value_names(["FIELD:ROW", "ITEM=VALUE"])
                .num_args(2..)
                .action(ArgAction::Append)
                .help(
                    "Change item fields of one row: `--change process:2 minutes=10`. \
                     ROW is the row's position in `rounds show` (from 1), its element id \
                     (`show --json`) or a unique start of the id that is not all digits",
                ),
        )
        .arg(
            Arg::new(MOVE)
                .long(MOVE)
                .value_name("FIELD:ROW")
                .action(ArgAction::Append)
                .requires(TO)
                .help("Move one row to the position given by --to: `--move process:3 --to 1`"),
        )
        .arg(
            Arg::new(TO)
                .long(TO)
                .value_name("POSITION")
                .action(ArgAction::Append)
                .requires(MOVE)
                .help("Where the row of the --move just before goes (from 1)"),
        )
        .arg(
            Arg::new(REMOVE)
                .long(REMOVE)
                .value_name("FIELD:ROW")
                .action(ArgAction::Append)
                .help("Remove one row: `--remove objectives:ab12`, `--remove process:4`"),
        )
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

/// Each occurrence of flag `id` with its values and the command-line index
/// of its first value, so that flags of different names can be put back in
/// the order they were typed.
fn occurrences(m: &ArgMatches, id: &str) -> Vec<(usize, Vec<String>)> {
    let (Ok(Some(occ)), Some(mut idx)) = (m.try_get_occurrences::<String>(id), m.indices_of(id))
    else {
        return Vec::new();
    };
    occ.map(|vals| {
        let vals: Vec<String> = vals.cloned().collect();
        let first = idx.next().unwrap_or(usize::MAX);
        for _ in 1..vals.len() {
            idx.next();
        }
        (first, vals)
    })
    .collect()
}

impl FromArgMatches for RowEdits {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        enum Seen {
            Flag(RowFlag),
            To(String),
        }
        let mut seen: Vec<(usize, Seen)> = Vec::new();
        for (id, flag) in [
            (ADD, Flag::Add),
            (CHANGE, Flag::Change),
            (MOVE, Flag::Move { to: String::new() }),
            (REMOVE, Flag::Remove),
        ] {
            for (i, values) in occurrences(m, id) {
                let flag = flag.clone();
                seen.push((i, Seen::Flag(RowFlag { flag, values })));
            }
        }
        for (i, mut values) in occurrences(m, TO) {
            seen.push((i, Seen::To(values.pop().unwrap_or_default())));
        }
        seen.sort_by_key(|(i, _)| *i);
        // Each --to belongs to the --move right before it.
        let mut out: Vec<RowFlag> = Vec::new();
        let mut open_move = false;
        for (_, s) in seen {
            match s {
                Seen::Flag(f) => {
                    if open_move {
                        return Err(missing_to(&out));
                    }
                    open_move = matches!(f.flag, Flag::Move { .. });
                    out.push(f);
                }
                Seen::To(to) => match out.last_mut() {
                    Some(RowFlag {
                        flag: Flag::Move { to: t },
                        ..
                    }) if open_move => {
                        *t = to;
                        open_move = false;
                    }
                    _ => {
                        return Err(clap::Error::raw(
                            ErrorKind::ArgumentConflict,
                            format!("`--to {to}` must come right after the --move it places"),
                        ));
                    }
                },
            }
        }
        if open_move {
            return Err(missing_to(&out));
        }
        Ok(RowEdits(out))
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

fn missing_to(flags: &[RowFlag]) -> clap::Error {
    let which = flags.last().map(|f| f.values.join(" ")).unwrap_or_default();
    clap::Error::raw(
        ErrorKind::MissingRequiredArgument,
        format!("`--move {which}` needs `--to POSITION` right after it"),
    )
}

/// A row as the command line names it (the text after `FIELD:`).
#[derive(Debug, Clone)]
struct RowRef(String);

#[derive(Debug, Clone)]
enum Action {
    Add { at: Option<usize> },
    Change(RowRef),
    Move(RowRef, usize),
    Remove(RowRef),
}

/// One checked row edit: its list field, what to do and the item values.
#[derive(Debug, Clone)]
struct Op {
    list: &'static Field,
    action: Action,
    values: Vec<(&'static str, Json)>,
    typed: String,
}

/// The row edits of one command, checked against the kind's declaration:
/// every field is a list of the kind, every item key is one of its items'
/// and every value has the item's type.
#[derive(Debug, Default)]
pub struct Plan(Vec<Op>);

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> DocError {
    DocError::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

fn position(list: &str, s: &str, typed: &str) -> Result<usize, DocError> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(invalid(
            list,
            format!("`{s}` is not a position (1, 2, …) (in `{typed}`)"),
        )),
    }
}

impl RowEdits {
    /// Checks the edits against `kind` before the document is read.
    pub fn plan(&self, kind: DocKind) -> Result<Plan, Failure> {
        let mut ops = Vec::new();
        for f in &self.0 {
            ops.push(plan_one(kind, f)?);
        }
        Ok(Plan(ops))
    }
}

fn plan_one(kind: DocKind, f: &RowFlag) -> Result<Op, DocError> {
    let typed = f.typed();
    let (target, items) = f
        .values
        .split_first()
        .map_or(("", &[][..]), |(t, i)| (t, i));
    let (key, row) = match target.split_once(':') {
        Some((k, r)) => (k, Some(r)),
        None => (target, None),
    };
    let list = kind.field(key).ok_or_else(|| {
        invalid(
            key,
            format!(
                "is not a field of a {}",
                kind.label(Lang::En).to_lowercase()
            ),
        )
    })?;
    let FieldType::List { item, .. } = &list.ty else {
        return Err(invalid(
            key,
            format!("is not a list field; set it with `--set {key}=VALUE`"),
        ));
    };
    let named = || match row {
        Some(r) if !r.is_empty() => Ok(RowRef(r.to_owned())),
        _ => Err(invalid(
            key,
            format!("name the row as {key}:POSITION or {key}:ID (in `{typed}`)"),
        )),
    };
    let action = match &f.flag {
        Flag::Add => Action::Add {
            at: row.map(|p| position(key, p, &typed)).transpose()?,
        },
        Flag::Change => Action::Change(named()?),
        Flag::Move { to } => Action::Move(named()?, position(key, to, &typed)?),
        Flag::Remove => Action::Remove(named()?),
    };
    let mut values = Vec::new();
    for a in items {
        let (k, v) = a
            .split_once('=')
            .ok_or_else(|| invalid(key, format!("`{a}`: write ITEM=VALUE (in `{typed}`)")))?;
        let sub = item.iter().find(|s| s.key == k).ok_or_else(|| {
            let keys: Vec<&str> = item.iter().map(|s| s.key).collect();
            invalid(
                format!("{key}.{k}"),
                format!(
                    "is not a field of {key}; its fields are {} (in `{typed}`)",
                    keys.join(", ")
                ),
            )
        })?;
        let value = rounds_core::doc::parse_value_input(sub, v).map_err(|problem| {
            invalid(format!("{key}.{k}"), format!("{problem} (in `{typed}`)"))
        })?;
        values.push((sub.key, value));
    }
    Ok(Op {
        list,
        action,
        values,
        typed,
    })
}

/// A row of the new list: an existing element (by id) or a new one, and
/// the item values this command gives it.
struct Row {
    id: Option<String>,
    values: Map<String, Json>,
    /// Which flag set each value, to name it in an error.
    set_by: HashMap<&'static str, String>,
}

impl Row {
    fn set(&mut self, op: &Op) {
        for (k, v) in &op.values {
            self.values.insert((*k).to_owned(), v.clone());
            self.set_by.insert(k, op.typed.clone());
        }
    }
}

/// One list field as the command edits it.
struct List {
    key: &'static str,
    /// The element ids as the document showed them before the command.
    before: Vec<String>,
    rows: Vec<Row>,
}

impl List {
    fn from_doc(key: &'static str, doc: &Json) -> List {
        let before: Vec<String> = doc[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let rows = before
            .iter()
            .map(|id| Row {
                id: Some(id.clone()),
                values: Map::new(),
                set_by: HashMap::new(),
            })
            .collect();
        List { key, before, rows }
    }

    /// The element a reference names among the rows before the command: a
    /// row's whole id names it; otherwise a number is a position (short
    /// starts of random ids are often digits, and a teacher who types
    /// `process:4` means the fourth row), and any other text is an id or
    /// the unique start of one. (A whole id can be all digits: one in a few
    /// hundred random ids is.)
    fn resolve(&self, r: &RowRef, typed: &str) -> Result<&str, DocError> {
        let key = self.key;
        let name = format!("{key}:{}", r.0);
        if let Some(id) = self.before.iter().find(|id| **id == r.0) {
            return Ok(id);
        }
        if r.0.bytes().all(|b| b.is_ascii_digit()) {
            let n = self.before.len();
            return match r.0.parse::<usize>() {
                Ok(p) if (1..=n).contains(&p) => Ok(&self.before[p - 1]),
                _ => Err(invalid(
                    name,
                    format!(
                        "there is no row {} ({key} has {}) (in `{typed}`)",
                        r.0,
                        rows(n)
                    ),
                )),
            };
        }
        if let Some(id) = self.before.iter().find(|id| **id == r.0) {
            return Ok(id);
        }
        let found: Vec<&String> = self
            .before
            .iter()
            .filter(|id| id.starts_with(&r.0))
            .collect();
        match found.as_slice() {
            [id] => Ok(id),
            [] => Err(invalid(
                name,
                format!(
                    "no row of {key} has an id starting with `{}` (in `{typed}`)",
                    r.0
                ),
            )),
            many => Err(invalid(
                name,
                format!(
                    "`{}` starts the ids of {} rows of {key}; give more of the id (in `{typed}`)",
                    r.0,
                    many.len()
                ),
            )),
        }
    }

    /// Where the row a reference names is now, in the list as the edits
    /// before this one left it.
    fn find(&self, r: &RowRef, typed: &str) -> Result<usize, DocError> {
        let id = self.resolve(r, typed)?;
        self.rows
            .iter()
            .position(|row| row.id.as_deref() == Some(id))
            .ok_or_else(|| {
                invalid(
                    format!("{}:{}", self.key, r.0),
                    format!("this row is removed earlier in the same command (in `{typed}`)"),
                )
            })
    }
}

fn rows(n: usize) -> String {
    match n {
        0 => "no rows".into(),
        1 => "1 row".into(),
        n => format!("{n} rows"),
    }
}

/// The new lists of a plan applied to a document, ready to be one patch.
pub struct Applied {
    lists: Vec<List>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The list fields the plan edits.
    pub fn fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().map(|op| op.list.key)
    }

    /// Computes every edited list from `doc` (the document's JSON, as
    /// `show --json` prints it). Fails, naming the row, if a reference or a
    /// position does not fit the document.
    pub fn apply(&self, doc: &Json) -> Result<Applied, DocError> {
        let mut lists: Vec<List> = Vec::new();
        for op in &self.0 {
            let key = op.list.key;
            let i = match lists.iter().position(|l| l.key == key) {
                Some(i) => i,
                None => {
                    lists.push(List::from_doc(key, doc));
                    lists.len() - 1
                }
            };
            let l = &mut lists[i];
            let place = |to: usize, n: usize| {
                if (1..=n + 1).contains(&to) {
                    Ok(to - 1)
                } else {
                    Err(invalid(
                        key,
                        format!(
                            "there is no position {to}; the row can go at 1 to {} (in `{}`)",
                            n + 1,
                            op.typed
                        ),
                    ))
                }
            };
            match &op.action {
                Action::Add { at } => {
                    let n = l.rows.len();
                    let at = place(at.unwrap_or(n + 1), n)?;
                    let mut row = Row {
                        id: None,
                        values: Map::new(),
                        set_by: HashMap::new(),
                    };
                    row.set(op);
                    l.rows.insert(at, row);
                }
                Action::Change(r) => {
                    let j = l.find(r, &op.typed)?;
                    l.rows[j].set(op);
                }
                Action::Move(r, to) => {
                    let j = l.find(r, &op.typed)?;
                    let row = l.rows.remove(j);
                    let at = place(*to, l.rows.len())?;
                    l.rows.insert(at, row);
                }
                Action::Remove(r) => {
                    let j = l.find(r, &op.typed)?;
                    l.rows.remove(j);
                }
            }
        }
        Ok(Applied { lists })
    }
}

impl Applied {
    /// The patch entries: per edited list, the whole new list. Rows left
    /// alone carry only their id, so the core's merge writes nothing to
    /// them; new rows carry no id and get one.
    pub fn patch(&self) -> Map<String, Json> {
        let mut out = Map::new();
        for l in &self.lists {
            let els: Vec<Json> = l
                .rows
                .iter()
                .map(|row| {
                    let mut el = Map::new();
                    if let Some(id) = &row.id {
                        el.insert("id".into(), json!(id));
                    }
                    el.extend(row.values.clone());
                    Json::Object(el)
                })
                .collect();
            out.insert(l.key.to_owned(), Json::Array(els));
        }
        out
    }

    /// The document's validation names an element by its index in the
    /// patch (`process[3].minutes`), which the teacher never typed: name
    /// the item field and the flag that set it instead.
    pub fn explain(&self, e: DocError) -> DocError {
        let DocError::Invalid { field, problem } = &e else {
            return e;
        };
        for l in &self.lists {
            let Some(rest) = field.strip_prefix(l.key).and_then(|r| r.strip_prefix('[')) else {
                continue;
            };
            let Some((index, item)) = rest.split_once("].") else {
                continue;
            };
            let item = item.split(['.', '[']).next().unwrap_or(item);
            if let Some(typed) = index
                .parse::<usize>()
                .ok()
                .and_then(|i| l.rows.get(i))
                .and_then(|row| row.set_by.get(item))
            {
                return invalid(
                    format!("{}.{item}", l.key),
                    format!("{problem} (in `{typed}`)"),
                );
            }
        }
        e
    }
}
