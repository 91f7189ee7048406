//! `Document::validate_new` is what the office checks every pushed state
//! with, instead of building the state again as a new document: it must
//! refuse exactly what `Document::create` refuses, with the same message,
//! for any values of any kind (so building a document from values it
//! accepted can never fail either), and what importing the same values
//! into an empty document of the kind refuses (the editing path's own
//! checks, `apply_import`, an oracle that does not go through it).

use proptest::prelude::*;
use rounds_core::doc::{Document, NewDoc, SeqIds};
use rounds_core::schema::{DocKind, Field, FieldType, Lang};
use rounds_core::testing::{ctx, doc};
use serde_json::{Map, Value, json};

/// A value that may or may not suit `f`: near its bounds, of another type,
/// or with characters a field refuses.
fn value_for(f: &'static Field, depth: u32) -> BoxedStrategy<Value> {
    let junk = prop_oneof![
        Just(Value::Null),
        Just(json!(true)),
        Just(json!(-1)),
        Just(json!(2.5)),
        Just(json!("")),
        Just(json!("  ")),
        Just(json!("一行\n两行")),
        Just(json!("响铃\u{0007}")),
        Just(json!(["x"])),
        Just(json!({"x": 1})),
    ];
    let fitting: BoxedStrategy<Value> = match &f.ty {
        FieldType::Text { max, .. } => {
            let max = *max;
            prop_oneof![
                "[a-z 肺炎惊厥。,\n]{0,40}".prop_map(Value::from),
                Just(Value::from("长".repeat(max))),
                Just(Value::from("长".repeat(max + 1))),
            ]
            .boxed()
        }
        FieldType::Choice { choices } => {
            let values: Vec<&'static str> = choices.iter().map(|c| c.value).collect();
            prop_oneof![
                proptest::sample::select(values).prop_map(Value::from),
                Just(Value::from("not_a_choice")),
            ]
            .boxed()
        }
        FieldType::Int { min, max } => prop_oneof![
            Just(*min),
            Just(*max),
            Just(max.saturating_add(1)),
            Just(min - 1)
        ]
        .prop_map(Value::from)
        .boxed(),
        FieldType::Number { min, max } => {
            prop_oneof![Just(*min), Just(*max), Just(max + 0.5), Just(min - 0.5)]
                .prop_map(Value::from)
                .boxed()
        }
        FieldType::Date => prop_oneof![
            Just("2024-02-29"),
            Just("2023-02-29"),
            Just("1899-12-31"),
            Just("2100-12-31"),
            Just("29/02/2024"),
        ]
        .prop_map(Value::from)
        .boxed(),
        FieldType::Ref { .. } => prop_oneof![
            Just("0193a5b0-0000-7000-8000-0000000000c1"),
            Just("0193a5b0-0000-7000-8000-0000000000c1#el1"),
            Just("not a reference"),
        ]
        .prop_map(Value::from)
        .boxed(),
        FieldType::List { item, max_items } if depth < 2 => {
            let item: &'static [Field] = item;
            let element = (
                proptest::option::of(prop_oneof![
                    Just("row_1"),
                    Just("row-2"),
                    Just("bad id"),
                    Just(""),
                ]),
                proptest::collection::vec((0..item.len().max(1), any::<bool>()), 0..4),
            )
                .prop_flat_map(move |(id, keys)| {
                    let entries: Vec<BoxedStrategy<(String, Value)>> = keys
                        .into_iter()
                        .filter_map(|(i, stray)| {
                            let f = item.get(i)?;
                            Some(if stray {
                                Just(("colour".to_owned(), json!("red"))).boxed()
                            } else {
                                value_for(f, depth + 1)
                                    .prop_map(move |v| (f.key.to_owned(), v))
                                    .boxed()
                            })
                        })
                        .collect();
                    entries.prop_map(move |entries| {
                        let mut o: Map<String, Value> = entries.into_iter().collect();
                        if let Some(id) = id {
                            o.insert("id".into(), json!(id));
                        }
                        Value::Object(o)
                    })
                });
            let over = *max_items + 1;
            prop_oneof![
                8 => proptest::collection::vec(element, 0..4).prop_map(Value::Array),
                1 => Just(Value::Array(vec![json!({}); over])),
            ]
            .boxed()
        }
        FieldType::List { .. } => Just(json!([])).boxed(),
    };
    prop_oneof![4 => fitting, 1 => junk].boxed()
}

/// Values for some of `kind`'s fields, and now and then a key that is not
/// a field or is Rounds' own.
fn fields_of(kind: DocKind) -> impl Strategy<Value = Value> {
    let fields = kind.fields();
    let entries = proptest::collection::vec(
        prop_oneof![
            8 => (0..fields.len()).prop_flat_map(move |i| {
                let f = &fields[i];
                value_for(f, 0).prop_map(move |v| (f.key.to_owned(), v))
            }),
            1 => prop_oneof![
                Just(("title".to_owned(), json!("新标题"))),
                Just(("title".to_owned(), json!(" "))),
                Just(("tags".to_owned(), json!(["呼吸", ""]))),
                Just(("tags".to_owned(), json!(["呼吸", "消化"]))),
                Just(("language".to_owned(), json!("en"))),
                Just(("language".to_owned(), json!("fr"))),
                Just(("visibility".to_owned(), json!("office"))),
                Just(("created".to_owned(), json!(1))),
                Just(("no_such_field".to_owned(), json!("x"))),
            ],
        ],
        0..6,
    );
    entries.prop_map(|e| Value::Object(e.into_iter().collect()))
}

fn case() -> impl Strategy<Value = (DocKind, String, String, Value)> {
    let kinds = DocKind::all();
    (
        proptest::sample::select(kinds),
        prop_oneof![Just("肺炎的诊治"), Just(""), Just("  ")],
        prop_oneof![Just("王老师"), Just("")],
    )
        .prop_flat_map(|(kind, title, author)| {
            fields_of(kind).prop_map(move |f| (kind, title.to_owned(), author.to_owned(), f))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn validate_new_refuses_exactly_what_create_refuses(
        (kind, title, author, fields) in case()
    ) {
        let id = "0193a5b0-0000-7000-8000-0000000000b1";
        let made = doc(id, kind, &title)
            .author(&author)
            .fields(fields.clone())
            .try_create()
            .map(|_| ())
            .map_err(|e| e.to_string());
        let new = NewDoc {
            id: id.to_owned(),
            kind,
            title,
            language: Lang::Zh,
            owner: "u1".to_owned(),
        };
        let checked = Document::validate_new(&new, &author, Some(&fields))
            .map_err(|e| e.to_string());
        let imported = doc(id, kind, &new.title)
            .author(&author)
            .try_create()
            .and_then(|mut d| {
                let mut ids = SeqIds::new("im");
                d.apply_import(&fields, &mut ctx(&author, &mut ids, 1_700_000_000_001))
                    .map(|_| ())
            })
            .map_err(|e| e.to_string());
        prop_assert_eq!(&checked, &imported);
        prop_assert_eq!(made, checked);
    }
}

#[test]
fn the_generated_cases_are_both_valid_and_invalid() {
    // A generator that only made invalid values would prove nothing.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut ok, mut refused) = (0, 0);
    for _ in 0..300 {
        let (kind, title, author, fields) = case().new_tree(&mut runner).unwrap().current();
        let new = NewDoc {
            id: "0193a5b0-0000-7000-8000-0000000000b1".to_owned(),
            kind,
            title,
            language: Lang::Zh,
            owner: "u1".to_owned(),
        };
        match Document::validate_new(&new, &author, Some(&fields)) {
            Ok(()) => ok += 1,
            Err(_) => refused += 1,
        }
    }
    assert!(
        ok >= 30 && refused >= 30,
        "{ok} accepted, {refused} refused"
    );
}
