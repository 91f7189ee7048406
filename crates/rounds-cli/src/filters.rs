//! The list and search flags for filterable fields, made from the kinds'
//! declarations: every field some kind declares filterable
//! (`KindDecl::filters`) becomes `--field-name VALUE`, with its choices as
//! the allowed values, so a new kind's filters need no CLI code.

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgMatches, Args, Command, FromArgMatches};
use rounds_core::schema::{DocKind, FieldType, Lang};

/// Flags kept from the first release under their old names, so scripts
/// written for it keep working (docs/cli.md lists both).
const OLD_NAMES: &[(&str, &str)] = &[("organ_system", "system"), ("learner_level", "learners")];

/// The (field, value) pairs given on the command line.
#[derive(Debug, Clone, Default)]
pub struct FieldFilters(pub Vec<(String, String)>);

/// Every filterable field of every kind, each once: its key, its labels and
/// choices from the first kind that declares it, and the kinds that do.
fn filterable() -> Vec<(&'static rounds_core::schema::Field, Vec<DocKind>)> {
    let mut out: Vec<(&'static rounds_core::schema::Field, Vec<DocKind>)> = Vec::new();
    for kind in DocKind::all() {
        for f in kind.filters() {
            match out.iter_mut().find(|(g, _)| g.key == f.key) {
                Some((_, kinds)) => kinds.push(kind),
                None => out.push((f, vec![kind])),
            }
        }
    }
    out
}

fn flag(key: &str) -> String {
    key.replace('_', "-")
}

impl Args for FieldFilters {
    fn augment_args(mut cmd: Command) -> Command {
        for (f, kinds) in filterable() {
            let mut values: Vec<&'static str> = Vec::new();
            for k in &kinds {
                if let Some(FieldType::Choice { choices }) = k.field(f.key).map(|g| &g.ty) {
                    for c in *choices {
                        if !values.contains(&c.value) {
                            values.push(c.value);
                        }
                    }
                }
            }
            let kinds: Vec<&str> = kinds.iter().map(|k| k.short()).collect();
            let mut arg = Arg::new(f.key)
                .long(flag(f.key))
                .value_name("VALUE")
                .value_parser(PossibleValuesParser::new(values))
                .help(format!(
                    "{} / {} ({})",
                    f.label(Lang::En),
                    f.label(Lang::Zh),
                    kinds.join(", ")
                ))
                .hide_possible_values(false);
            for (key, old) in OLD_NAMES {
                if *key == f.key {
                    arg = arg.alias(*old);
                }
            }
            cmd = cmd.arg(arg);
        }
        cmd
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for FieldFilters {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let mut out = Vec::new();
        for (f, _) in filterable() {
            if let Some(v) = m.get_one::<String>(f.key) {
                out.push((f.key.to_owned(), v.clone()));
            }
        }
        Ok(FieldFilters(out))
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}
