//! Preparing a plan together: anchored threads through concurrent edits,
//! suggestions, the review track, site copies, versions, the inbox's
//! items, and the rules the office enforces (`collab::policy`).

use rounds_core::collab::{
    self, GroupInput, Participant, Piece, Place, ReviewInput, Target, Who, policy,
};
use rounds_core::doc::{Document, SeqIds};
use rounds_core::schema::DocKind;
use rounds_core::testing::{actor, ctx, doc, fork};
use serde_json::json;

const ID: &str = "0193a5b0-0000-7000-8000-0000000000c1";
const METHODS: &str = "先复习脱水的分度，再以病例讨论补液方案，最后总结。";

fn lead() -> Who {
    Who::new("m-lead", "李主任")
}
fn township() -> Who {
    Who::new("m-town", "乡镇王医生")
}
fn reviewer() -> Who {
    Who::new("m-rev", "张教授")
}

fn plan() -> Document {
    let mut d = doc(ID, DocKind::LESSON_PLAN, "小儿腹泻的补液")
        .author("李主任")
        .at(1_000)
        .ids("a")
        .fields(json!({ "methods": METHODS, "summary": "Oral rehydration first." }))
        .create();
    d.set_actor(actor(1));
    d
}

fn text(d: &Document, key: &str) -> String {
    d.to_json()[key].as_str().unwrap().to_owned()
}

fn pos(s: &str, what: &str) -> usize {
    let byte = s.find(what).unwrap();
    s[..byte].chars().count()
}

fn edit(d: &mut Document, key: &str, value: &str, ids: &mut SeqIds, now: i64) {
    d.apply_patch(&json!({ key: value }), &mut ctx("x", ids, now))
        .unwrap();
}

fn sync(a: &mut Document, b: &mut Document) {
    let ab = a.save();
    let bb = b.save();
    a.merge_bytes(&bb).unwrap();
    b.merge_bytes(&ab).unwrap();
}

fn range_text(d: &Document, thread: &str) -> Option<String> {
    match &d.collab().thread(thread).unwrap().place {
        Place::Range { text, .. } => Some(text.clone()),
        _ => None,
    }
}

/// A comment on "病例讨论补液方案" in methods, made by the township teacher.
fn commented() -> (Document, String) {
    let mut d = plan();
    let mut ids = SeqIds::new("t");
    let from = pos(METHODS, "病例讨论");
    let to = from + "病例讨论补液方案".chars().count();
    let t = d
        .comment(
            &Target {
                field: "methods".into(),
                range: Some((from, to)),
                ..Target::default()
            },
            "补液方案这里要区分等渗和低渗",
            None,
            &[],
            &township(),
            &mut ctx("乡镇王医生", &mut ids, 2_000),
        )
        .unwrap();
    (d, t)
}

#[test]
fn anchor_survives_concurrent_inserts_before_inside_and_after() {
    let (mut a, t) = commented();
    let mut b = fork(&mut a, 2);
    let mut c = fork(&mut a, 3);
    let mut ids = SeqIds::new("e");
    // Before the range on device 2, inside it on device 3, after it on 1.
    let m = text(&b, "methods");
    edit(&mut b, "methods", &format!("课前：{m}"), &mut ids, 3_000);
    let inside = m.replacen("补液方案", "个体化补液方案", 1);
    edit(&mut c, "methods", &inside, &mut ids, 3_001);
    let after = m.replacen("最后总结", "最后小组总结", 1);
    edit(&mut a, "methods", &after, &mut ids, 3_002);
    sync(&mut a, &mut b);
    sync(&mut a, &mut c);
    sync(&mut b, &mut c);
    let now = text(&a, "methods");
    assert_eq!(
        now,
        "课前：先复习脱水的分度，再以病例讨论个体化补液方案，最后小组总结。"
    );
    for d in [&a, &b, &c] {
        assert_eq!(range_text(d, &t).as_deref(), Some("病例讨论个体化补液方案"));
    }
    let th = a.collab().thread(&t).unwrap().clone();
    // The quote and version it addressed are kept as they were.
    assert_eq!(th.quote, "病例讨论补液方案");
    assert!(!th.heads.is_empty());
}

#[test]
fn typing_at_the_boundaries_stays_outside() {
    let (mut d, t) = commented();
    let mut ids = SeqIds::new("e");
    let m = text(&d, "methods");
    let typed = m.replacen("病例讨论补液方案", "【病例讨论补液方案】", 1);
    edit(&mut d, "methods", &typed, &mut ids, 3_000);
    assert_eq!(range_text(&d, &t).as_deref(), Some("病例讨论补液方案"));
}

#[test]
fn partial_deletion_shrinks_and_total_deletion_orphans() {
    let (mut a, t) = commented();
    let mut b = fork(&mut a, 2);
    let mut ids = SeqIds::new("e");
    let m = text(&a, "methods");
    edit(
        &mut a,
        "methods",
        &m.replacen("病例讨论", "", 1),
        &mut ids,
        3_000,
    );
    assert_eq!(range_text(&a, &t).as_deref(), Some("补液方案"));
    // Meanwhile on device 2 the rest goes too; after merging nothing of
    // the selection is left: the thread is orphaned, never dropped.
    edit(
        &mut b,
        "methods",
        &m.replacen("补液方案", "", 1),
        &mut ids,
        3_001,
    );
    sync(&mut a, &mut b);
    for d in [&a, &b] {
        let th = d.collab().thread(&t).unwrap().clone();
        assert!(th.orphaned(), "{:?}", th.place);
        assert_eq!(th.quote, "病例讨论补液方案");
        assert_eq!(th.messages.len(), 1);
    }
}

#[test]
fn overlapping_threads_keep_their_own_ranges() {
    let (mut d, t1) = commented();
    let mut b = fork(&mut d, 2);
    let mut ids = SeqIds::new("o");
    let from = pos(METHODS, "补液方案");
    let to = pos(METHODS, "最后");
    let t2 = b
        .comment(
            &Target {
                field: "methods".into(),
                range: Some((from, to)),
                ..Target::default()
            },
            "补充口服补液盐的用法",
            None,
            &[],
            &lead(),
            &mut ctx("李主任", &mut ids, 2_500),
        )
        .unwrap();
    sync(&mut d, &mut b);
    assert_eq!(range_text(&d, &t1).as_deref(), Some("病例讨论补液方案"));
    assert_eq!(range_text(&d, &t2).as_deref(), Some("补液方案，"));
    assert_eq!(d.collab().threads.len(), 2);
}

#[test]
fn suggestion_accepted_after_a_colleague_edited_inside_it() {
    let mut d = plan();
    let mut ids = SeqIds::new("s");
    let from = pos(METHODS, "再以病例讨论");
    let to = pos(METHODS, "，最后");
    let t = d
        .comment(
            &Target {
                field: "methods".into(),
                range: Some((from, to)),
                ..Target::default()
            },
            "",
            Some("再以两个病例讨论补液方案"),
            &[],
            &township(),
            &mut ctx("乡镇王医生", &mut ids, 2_000),
        )
        .unwrap();
    let mut lead_dev = fork(&mut d, 2);
    // A colleague adds words inside the selection before the lead decides.
    let m = text(&d, "methods");
    edit(
        &mut d,
        "methods",
        &m.replacen("补液方案", "补液与补钾方案", 1),
        &mut ids,
        2_100,
    );
    sync(&mut d, &mut lead_dev);
    lead_dev
        .decide_suggestion(&t, true, &lead(), &mut ctx("李主任", &mut ids, 2_200))
        .unwrap();
    let now = text(&lead_dev, "methods");
    assert_eq!(
        now,
        "先复习脱水的分度，再以两个病例讨论补液与补钾方案，最后总结。"
    );
    let th = lead_dev.collab().thread(&t).unwrap().clone();
    let dec = th.decision.unwrap();
    assert_eq!(
        (dec.value.as_str(), dec.by.as_str()),
        ("accepted", "m-lead")
    );
    assert_eq!(th.state, "resolved");
    // Only what differed was replaced: the thread still points at its words.
    assert!(
        matches!(&th.place, Place::Range { text, .. } if text.starts_with("再以两个病例讨论")),
        "{:?}",
        th.place
    );
    // Decided once.
    let again = lead_dev.decide_suggestion(&t, false, &lead(), &mut ctx("李主任", &mut ids, 2_300));
    assert!(again.is_err());
}

#[test]
fn a_suggestion_whose_text_is_gone_can_only_be_rejected() {
    let mut d = plan();
    let mut ids = SeqIds::new("s");
    let t = d
        .comment(
            &Target {
                field: "summary".into(),
                range: Some((0, 4)),
                ..Target::default()
            },
            "",
            Some("Give oral"),
            &[],
            &township(),
            &mut ctx("w", &mut ids, 2_000),
        )
        .unwrap();
    edit(&mut d, "summary", "", &mut ids, 2_100);
    let err = d
        .decide_suggestion(&t, true, &lead(), &mut ctx("l", &mut ids, 2_200))
        .unwrap_err();
    assert!(err.to_string().contains("deleted"), "{err}");
    d.decide_suggestion(&t, false, &lead(), &mut ctx("l", &mut ids, 2_300))
        .unwrap();
    assert_eq!(text(&d, "summary"), "");
}

fn with_group(d: &mut Document, ids: &mut SeqIds) {
    d.set_group(
        &GroupInput {
            lead: lead(),
            participants: vec![Participant {
                member: "m-town".into(),
                name: "乡镇王医生".into(),
                site: "青山镇卫生院".into(),
                edit: false,
            }],
            due: vec![("discussion".into(), "2027-03-01".into())],
        },
        &mut ctx("李主任", ids, 1_500),
    )
    .unwrap();
}

const OWNER_LEAD: policy::Sender<'static> = policy::Sender {
    member: "m-lead",
    role: "teacher",
    owner: true,
    name: None,
    rubrics: &[],
    could_edit_then: false,
};
const TOWN: policy::Sender<'static> = policy::Sender {
    member: "m-town",
    role: "teacher",
    owner: false,
    name: None,
    rubrics: &[],
    could_edit_then: false,
};
const OUTSIDER: policy::Sender<'static> = policy::Sender {
    member: "m-out",
    role: "teacher",
    owner: false,
    name: None,
    rubrics: &[],
    could_edit_then: false,
};
const REVIEWER: policy::Sender<'static> = policy::Sender {
    member: "m-rev",
    role: "lead_teacher",
    owner: false,
    name: None,
    rubrics: &[],
    could_edit_then: false,
};

fn grouped() -> Document {
    let mut d = plan();
    let before = fork(&mut d, 9);
    let mut ids = SeqIds::new("g");
    with_group(&mut d, &mut ids);
    policy::check(Some(&before), &d, &OWNER_LEAD).unwrap();
    assert_eq!(d.schema(), collab::COLLAB_SCHEMA);
    d
}

/// Runs `f` on a copy of `d` and checks the result as `who` pushed it.
fn as_member(
    d: &mut Document,
    who: &policy::Sender<'_>,
    f: impl FnOnce(&mut Document, &mut SeqIds),
) -> Result<Document, policy::Refusal> {
    // Every device makes ids no other makes (the store's are random).
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let before = fork(d, 8);
    let mut after = fork(d, 7);
    let mut ids = SeqIds::new(&format!("p{n}x"));
    f(&mut after, &mut ids);
    policy::check(Some(&before), &after, who).map(|()| after)
}

#[test]
fn the_office_rules_of_preparation() {
    let mut d = grouped();
    let w = Who::new("m-town", "王");
    // A participant who may not edit still comments and replies.
    let mut d2 = as_member(&mut d, &TOWN, |d, ids| {
        d.comment(
            &Target::default(),
            "整体结构清楚",
            None,
            &["m-lead".into()],
            &w,
            &mut ctx("王", ids, 3_000),
        )
        .unwrap();
    })
    .unwrap();
    // … but may not edit the plan.
    let e = as_member(&mut d, &TOWN, |d, ids| {
        edit(d, "methods", "改掉", ids, 3_000)
    })
    .unwrap_err();
    assert_eq!(e.rule, "edit");
    // Nor move a stage.
    let e = as_member(&mut d, &TOWN, |d, ids| {
        d.move_stage("discussion", &w, &mut ctx("王", ids, 3_000))
            .unwrap();
    })
    .unwrap_err();
    assert_eq!(e.rule, "stage");
    // The lead moves stages.
    as_member(&mut d, &OWNER_LEAD, |d, ids| {
        d.move_stage("discussion", &lead(), &mut ctx("李", ids, 3_000))
            .unwrap();
    })
    .unwrap();
    // A member outside the group may not comment.
    let e = as_member(&mut d, &OUTSIDER, |d, ids| {
        d.comment(
            &Target::default(),
            "路过",
            None,
            &[],
            &Who::new("m-out", "外"),
            &mut ctx("外", ids, 3_000),
        )
        .unwrap();
    })
    .unwrap_err();
    assert_eq!(e.rule, "comment");
    // No one writes in another's name.
    let e = as_member(&mut d, &TOWN, |d, ids| {
        d.comment(
            &Target::default(),
            "冒名",
            None,
            &[],
            &lead(),
            &mut ctx("王", ids, 3_000),
        )
        .unwrap();
    })
    .unwrap_err();
    assert_eq!(e.rule, "attribution");
    // A participant cannot add themselves as an editor.
    let e = as_member(&mut d, &TOWN, |d, ids| {
        let mut g = GroupInput {
            lead: lead(),
            participants: vec![Participant {
                member: "m-town".into(),
                name: "王".into(),
                site: String::new(),
                edit: true,
            }],
            due: vec![],
        };
        g.due.clear();
        d.set_group(&g, &mut ctx("王", ids, 3_000)).unwrap();
    })
    .unwrap_err();
    assert_eq!(e.rule, "group");
    // Only the lead decides a suggestion; the township teacher's thread
    // from above is a comment, so make a suggestion first.
    let mut qids = SeqIds::new("q");
    let sug = d2
        .comment(
            &Target {
                field: "summary".into(),
                range: Some((0, 4)),
                ..Target::default()
            },
            "",
            Some("Start with oral"),
            &[],
            &w,
            &mut ctx("王", &mut qids, 3_100),
        )
        .unwrap();
    let e = as_member(&mut d2, &TOWN, |d, ids| {
        d.decide_suggestion(&sug, false, &w, &mut ctx("王", ids, 3_200))
            .unwrap();
    })
    .unwrap_err();
    assert_eq!(e.rule, "suggestion");
    as_member(&mut d2, &OWNER_LEAD, |d, ids| {
        d.decide_suggestion(&sug, true, &lead(), &mut ctx("李", ids, 3_200))
            .unwrap();
    })
    .unwrap();
}

#[test]
fn the_review_track_and_its_rules() {
    let mut d = grouped();
    // Only a lead teacher or admin decides, and not before submission.
    let e = as_member(&mut d, &REVIEWER, |d, ids| {
        d.review_decision("approved", "", &reviewer(), &mut ctx("张", ids, 3_000))
            .unwrap_err();
        // Written around the device's own check, as a crafted client would.
        let _ = ids;
    });
    assert!(e.is_ok());
    let mut d = as_member(&mut d, &OWNER_LEAD, |d, ids| {
        d.review_decision("submitted", "请审核", &lead(), &mut ctx("李", ids, 3_000))
            .unwrap();
    })
    .unwrap();
    assert_eq!(d.to_json()["status"], "in_review");
    // The owner may not approve their own plan, even as a lead teacher.
    let own = policy::Sender {
        role: "lead_teacher",
        ..OWNER_LEAD
    };
    let e = as_member(&mut d, &own, |d, ids| {
        d.review_decision("approved", "", &lead(), &mut ctx("李", ids, 3_100))
            .unwrap();
    })
    .unwrap_err();
    assert_eq!(e.rule, "review");
    // A teacher may not approve at all.
    let e = as_member(&mut d, &TOWN, |d, ids| {
        d.review_decision("approved", "", &township(), &mut ctx("王", ids, 3_100))
            .unwrap();
    })
    .unwrap_err();
    assert_eq!(e.rule, "review");
    // The reviewer scores with the rubric and approves.
    let mut d = as_member(&mut d, &REVIEWER, |d, ids| {
        d.write_review(
            &ReviewInput {
                rubric: "glassick".into(),
                scores: vec![
                    ("clear_goals".into(), 5),
                    ("adequate_preparation".into(), 4),
                ],
                notes: vec![("clear_goals".into(), "目标可测".into())],
                comment: "整体良好".into(),
                recommendation: "minor".into(),
                coi: String::new(),
            },
            &reviewer(),
            &mut ctx("张", ids, 3_200),
        )
        .unwrap();
        d.review_decision(
            "approved",
            "小修后通过",
            &reviewer(),
            &mut ctx("张", ids, 3_300),
        )
        .unwrap();
    })
    .unwrap();
    let c = d.collab();
    assert_eq!(c.review_state().unwrap().value, "approved");
    assert_eq!(c.reviews[0].total(), 9);
    assert_eq!(d.to_json()["status"], "approved");
    // Scores outside the scale are refused on the device and by the office.
    let mut ids = SeqIds::new("z");
    let bad = ReviewInput {
        rubric: "glassick".into(),
        scores: vec![("clear_goals".into(), 9)],
        ..ReviewInput::default()
    };
    assert!(
        d.write_review(&bad, &reviewer(), &mut ctx("张", &mut ids, 3_400))
            .is_err()
    );
    // A reviewer cannot rewrite someone else's review.
    let e = as_member(
        &mut d,
        &policy::Sender {
            member: "m-rev2",
            ..REVIEWER
        },
        |d, ids| {
            d.write_review(
                &ReviewInput {
                    rubric: "pingke".into(),
                    ..ReviewInput::default()
                },
                &reviewer(),
                &mut ctx("x", ids, 3_500),
            )
            .unwrap();
        },
    )
    .unwrap_err();
    assert_eq!(e.rule, "attribution");
    // Best versions are the deciders'.
    let e = as_member(&mut d, &TOWN, |d, ids| {
        d.mark_best("精华版", &township(), &mut ctx("王", ids, 3_600))
            .unwrap();
    })
    .unwrap_err();
    assert_eq!(e.rule, "best");
    let d = as_member(&mut d, &REVIEWER, |d, ids| {
        d.mark_best("2027 春季精华", &reviewer(), &mut ctx("张", ids, 3_600))
            .unwrap();
    })
    .unwrap();
    assert_eq!(d.collab().best[0].name, "2027 春季精华");
}

#[test]
fn entries_once_written_stay() {
    let mut d = grouped();
    let mut ids = SeqIds::new("k");
    d.move_stage("discussion", &lead(), &mut ctx("李", &mut ids, 2_000))
        .unwrap();
    let e = as_member(&mut d, &OWNER_LEAD, |d, _| {
        let am = d.automerge_mut();
        let c = match am.get(automerge::ROOT, "collab").unwrap() {
            Some((_, c)) => c,
            None => unreachable!(),
        };
        use automerge::ReadDoc;
        use automerge::transaction::Transactable;
        let stages = am.get(&c, "stages").unwrap().unwrap().1;
        let k = am.keys(&stages).next().unwrap();
        am.delete(&stages, k.as_str()).unwrap();
        am.commit();
    })
    .unwrap_err();
    assert_eq!(e.rule, "attribution");
    // A key that is not part of the layout.
    let e = as_member(&mut d, &OWNER_LEAD, |d, _| {
        use automerge::ReadDoc;
        use automerge::transaction::Transactable;
        let am = d.automerge_mut();
        let c = am.get(automerge::ROOT, "collab").unwrap().unwrap().1;
        am.put(&c, "votes", 3).unwrap();
        am.commit();
    })
    .unwrap_err();
    assert_eq!(e.rule, "collab");
}

#[test]
fn a_site_copy_takes_the_shared_plans_changes_and_keeps_its_own() {
    let mut up = grouped();
    let mut ids = SeqIds::new("u");
    up.apply_patch(
        &json!({ "process": [
            { "stage": "导入", "minutes": 5, "teacher": "提问脱水表现" },
            { "stage": "讨论", "minutes": 30, "teacher": "分组讨论" }
        ]}),
        &mut ctx("李", &mut ids, 2_000),
    )
    .unwrap();
    let from = up.heads();
    let fields = collab::site_copy_fields(&up);
    let mut copy = doc(
        "0193a5b0-0000-7000-8000-0000000000c2",
        DocKind::LESSON_PLAN,
        "小儿腹泻的补液（青山镇）",
    )
    .author("王")
    .owner("u2")
    .ids("c")
    .fields(fields)
    .create();
    copy.set_actor(actor(5));
    copy.set_upstream(up.id(), &up.title(), &from, &mut ctx("王", &mut ids, 2_100))
        .unwrap();
    assert!(!collab::upstream_changed(&copy, &mut up));
    // The site adapts; the shared plan changes elsewhere meanwhile.
    let m = text(&copy, "methods");
    edit(
        &mut copy,
        "methods",
        &format!("{m}结合本院常见病例。"),
        &mut ids,
        2_200,
    );
    let um = text(&up, "methods");
    edit(
        &mut up,
        "methods",
        &um.replacen("先复习", "先快速复习", 1),
        &mut ids,
        2_300,
    );
    let mut rows = up.to_json()["process"].clone();
    rows.as_array_mut()
        .unwrap()
        .push(json!({ "stage": "总结", "minutes": 5 }));
    up.apply_patch(&json!({ "process": rows }), &mut ctx("李", &mut ids, 2_400))
        .unwrap();
    assert!(collab::upstream_changed(&copy, &mut up));
    let diff = collab::compare(&mut up, &collab::heads_string(&from), "").unwrap();
    assert!(
        diff.iter()
            .any(|f| f.field == "methods" && f.pieces.contains(&Piece::Inserted("快速".into())))
    );
    let changed = copy
        .take_upstream(&mut up, &mut ctx("王", &mut ids, 2_500))
        .unwrap();
    assert!(changed.contains(&"methods".to_owned()), "{changed:?}");
    assert_eq!(
        text(&copy, "methods"),
        "先快速复习脱水的分度，再以病例讨论补液方案，最后总结。结合本院常见病例。"
    );
    let stages: Vec<String> = copy.to_json()["process"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["stage"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(stages, ["导入", "讨论", "总结"]);
    assert!(!collab::upstream_changed(&copy, &mut up));
}

#[test]
fn inbox_items_reach_the_right_members() {
    let mut d = grouped();
    let mut ids = SeqIds::new("i");
    let t = d
        .comment(
            &Target::default(),
            "请大家看看目标",
            None,
            &["m-rev".into()],
            &lead(),
            &mut ctx("李", &mut ids, 2_000),
        )
        .unwrap();
    d.reply(
        &t,
        "同意",
        &[],
        &township(),
        &mut ctx("王", &mut ids, 2_100),
    )
    .unwrap();
    d.move_stage("discussion", &lead(), &mut ctx("李", &mut ids, 2_200))
        .unwrap();
    d.review_decision("submitted", "", &lead(), &mut ctx("李", &mut ids, 2_300))
        .unwrap();
    let ev = collab::events(&d.collab());
    let of = |who: &str| -> Vec<String> {
        ev.iter()
            .filter(|e| e.recipient == who)
            .map(|e| e.kind.clone())
            .collect()
    };
    assert_eq!(of("m-town"), ["comment", "stage", "review_request"]);
    assert_eq!(of("m-lead"), ["reply"]);
    assert_eq!(of("m-rev"), ["mention"]);
    assert_eq!(of(collab::DECIDERS), ["review_request"]);
    // Item ids are stable: the same document gives the same items.
    assert_eq!(collab::events(&fork(&mut d, 4).collab()), ev);
}

#[test]
fn a_squash_of_a_shared_case_keeps_its_comments_anchored() {
    let mut d = doc(
        "0193a5b0-0000-7000-8000-0000000000c9",
        DocKind::CASE,
        "婴儿咳喘",
    )
    .fields(json!({ "present_illness": "咳嗽三天。" }))
    .create();
    d.set_actor(actor(1));
    // What the office has; then text typed and commented on, unpushed.
    let since = d.heads();
    let mut ids = SeqIds::new("q");
    edit(
        &mut d,
        "present_illness",
        "咳嗽三天，夜间喘息加重。",
        &mut ids,
        2_000,
    );
    let from = pos("咳嗽三天，夜间喘息加重。", "夜间喘息");
    let t = d
        .comment(
            &Target {
                field: "present_illness".into(),
                range: Some((from, from + 4)),
                ..Target::default()
            },
            "喘息的诱因？",
            None,
            &[],
            &township(),
            &mut ctx("王", &mut ids, 2_100),
        )
        .unwrap();
    let squashed = d
        .squashed(&since, actor(1), &mut ctx("王", &mut ids, 2_200))
        .unwrap();
    assert_eq!(squashed.collab().threads.len(), 1);
    assert_eq!(range_text(&squashed, &t).as_deref(), Some("夜间喘息"));
    assert_eq!(
        squashed.collab().thread(&t).unwrap().messages[0].body,
        "喘息的诱因？"
    );
    assert_eq!(squashed.schema(), collab::COLLAB_SCHEMA);
}

#[test]
fn identifiers_never_go_into_comments() {
    let mut d = plan();
    let mut ids = SeqIds::new("x");
    let err = d
        .comment(
            &Target::default(),
            "有问题打我手机 13812345678",
            None,
            &[],
            &lead(),
            &mut ctx("李", &mut ids, 2_000),
        )
        .unwrap_err();
    assert!(err.to_string().contains("identifier"), "{err}");
    assert!(d.collab().is_empty());
}

#[test]
fn concurrent_decisions_never_leave_a_push_stuck() {
    let mut d = grouped();
    let mut ids = SeqIds::new("cd");
    let t = d
        .comment(
            &Target::default(),
            "目标是否可测？",
            None,
            &[],
            &township(),
            &mut ctx("王", &mut ids, 2_000),
        )
        .unwrap();
    d.review_decision("submitted", "", &lead(), &mut ctx("李", &mut ids, 2_100))
        .unwrap();
    let rev2 = Who::new("m-rev2", "周教授");
    let mut a = fork(&mut d, 2);
    let mut b = fork(&mut d, 3);
    // Offline at once: one reviewer approves, another asks for changes;
    // the lead and the participant both resolve the thread.
    a.review_decision(
        "approved",
        "",
        &reviewer(),
        &mut ctx("张", &mut SeqIds::new("ra"), 3_000),
    )
    .unwrap();
    a.set_thread_resolved(
        &t,
        true,
        &reviewer(),
        &mut ctx("张", &mut SeqIds::new("rb"), 3_001),
    )
    .unwrap();
    b.review_decision(
        "changes_requested",
        "补充目标",
        &rev2,
        &mut ctx("周", &mut SeqIds::new("rc"), 3_002),
    )
    .unwrap();
    b.set_thread_resolved(
        &t,
        true,
        &rev2,
        &mut ctx("周", &mut SeqIds::new("rd"), 3_003),
    )
    .unwrap();
    // The office takes a's push first, then b's merged onto it.
    policy::check(Some(&d), &a, &REVIEWER).unwrap();
    let mut office = fork(&mut a, 5);
    let b_bytes = b.save();
    office.merge_bytes(&b_bytes).unwrap();
    let rev2_sender = policy::Sender {
        member: "m-rev2",
        ..REVIEWER
    };
    policy::check(Some(&a), &office, &rev2_sender).unwrap();
    let c = office.collab();
    assert_eq!(c.decisions.len(), 3);
    let th = c.thread(&t).unwrap();
    assert_eq!(th.state, "resolved");
    assert!(th.state_by == "m-rev" || th.state_by == "m-rev2");
}

#[test]
fn first_comments_made_at_once_on_two_devices_both_stay() {
    // A plan nobody has commented on: both devices create `collab` and
    // its `threads` for their first comment, concurrently.
    let mut a = plan();
    let mut b = fork(&mut a, 2);
    let office = fork(&mut a, 3);
    let ta = a
        .comment(
            &Target::default(),
            "甲的意见",
            None,
            &[],
            &lead(),
            &mut ctx("李", &mut SeqIds::new("fa"), 2_000),
        )
        .unwrap();
    let tb = b
        .comment(
            &Target::default(),
            "乙的意见",
            None,
            &[],
            &township(),
            &mut ctx("王", &mut SeqIds::new("fb"), 2_001),
        )
        .unwrap();
    policy::check(Some(&office), &a, &OWNER_LEAD).unwrap();
    let mut merged = fork(&mut a, 4);
    merged.merge_bytes(&b.save()).unwrap();
    policy::check(Some(&a), &merged, &TOWN).unwrap();
    let c = merged.collab();
    assert!(
        c.thread(&ta).is_some() && c.thread(&tb).is_some(),
        "{:?}",
        c.threads
    );
    // Replies reach either thread, wherever Automerge keeps it.
    merged
        .reply(
            &tb,
            "收到",
            &[],
            &lead(),
            &mut ctx("李", &mut SeqIds::new("fc"), 2_100),
        )
        .unwrap();
    assert_eq!(merged.collab().thread(&tb).unwrap().messages.len(), 2);
}

#[test]
fn on_the_review_track_no_one_approves_their_own_plan_through_status() {
    let own_lead_teacher = policy::Sender {
        role: "lead_teacher",
        ..OWNER_LEAD
    };
    let approve = |d: &mut Document, ids: &mut SeqIds| {
        d.apply_patch(&json!({ "status": "approved" }), &mut ctx("李", ids, 4_000))
            .unwrap();
    };
    let mut d = grouped();
    let e = as_member(&mut d, &own_lead_teacher, approve).unwrap_err();
    assert_eq!(e.rule, "review");
    // Outside the track the kind's field rule alone decides.
    let mut plain = plan();
    as_member(&mut plain, &own_lead_teacher, approve).unwrap();
}

#[test]
fn threads_on_a_section_a_field_and_a_row() {
    let mut d = plan();
    let mut ids = SeqIds::new("sec");
    d.apply_patch(
        &json!({ "process": [{ "stage": "导入", "minutes": 5, "teacher": "病例导入" }] }),
        &mut ctx("李", &mut ids, 1_100),
    )
    .unwrap();
    let row = d.to_json()["process"][0]["id"].as_str().unwrap().to_owned();
    let w = lead();
    for (target, ok) in [
        (
            Target {
                field: "section:methods".into(),
                ..Target::default()
            },
            true,
        ),
        (
            Target {
                field: "section:nonsense".into(),
                ..Target::default()
            },
            false,
        ),
        (
            Target {
                field: "summary".into(),
                ..Target::default()
            },
            true,
        ),
        (
            Target {
                field: "process".into(),
                row: row.clone(),
                item: "teacher".into(),
                range: Some((0, 2)),
            },
            true,
        ),
        (
            Target {
                field: "process".into(),
                row: "nope".into(),
                item: "teacher".into(),
                range: None,
            },
            false,
        ),
        (
            Target {
                field: "not_a_field".into(),
                ..Target::default()
            },
            false,
        ),
    ] {
        let r = d.comment(
            &target,
            "看这里",
            None,
            &[],
            &w,
            &mut ctx("李", &mut ids, 1_200),
        );
        assert_eq!(r.is_ok(), ok, "{target:?}: {r:?}");
    }
    let c = d.collab();
    assert_eq!(c.threads.len(), 3);
    let on_row = c.threads.iter().find(|t| !t.row.is_empty()).unwrap();
    assert!(matches!(&on_row.place, Place::Range { text, .. } if text == "病例"));
}

#[test]
fn deleting_a_selection_at_the_start_of_a_field_orphans_its_thread() {
    let mut d = plan();
    let mut ids = SeqIds::new("st");
    let first = "先复习脱水的分度，";
    let t = d
        .comment(
            &Target {
                field: "methods".into(),
                range: Some((0, first.chars().count())),
                ..Target::default()
            },
            "开头这句可以删",
            None,
            &[],
            &township(),
            &mut ctx("王", &mut ids, 2_000),
        )
        .unwrap();
    // The same at the end of the field, on another thread.
    let last_from = pos(METHODS, "最后总结。");
    let t2 = d
        .comment(
            &Target {
                field: "methods".into(),
                range: Some((last_from, METHODS.chars().count())),
                ..Target::default()
            },
            "结尾",
            None,
            &[],
            &township(),
            &mut ctx("王", &mut ids, 2_001),
        )
        .unwrap();
    let rest = METHODS.replacen(first, "", 1).replacen("最后总结。", "", 1);
    edit(&mut d, "methods", &rest, &mut ids, 2_100);
    for id in [&t, &t2] {
        let th = d.collab().thread(id).unwrap().clone();
        assert!(th.orphaned(), "{:?}", th.place);
    }
    // Text typed where a selection was does not revive it.
    edit(
        &mut d,
        "methods",
        &format!("新的开头。{rest}"),
        &mut ids,
        2_200,
    );
    assert!(d.collab().thread(&t).unwrap().orphaned());
}

#[test]
fn entries_carry_the_name_the_office_knows() {
    let mut d = grouped();
    let named = policy::Sender {
        name: Some("乡镇王医生"),
        ..TOWN
    };
    as_member(&mut d, &named, |d, ids| {
        d.comment(
            &Target::default(),
            "署名一致",
            None,
            &[],
            &township(),
            &mut ctx("王", ids, 3_000),
        )
        .unwrap();
    })
    .unwrap();
    let e = as_member(&mut d, &named, |d, ids| {
        d.comment(
            &Target::default(),
            "冒用姓名",
            None,
            &[],
            &Who::new("m-town", "李主任"),
            &mut ctx("王", ids, 3_000),
        )
        .unwrap();
    })
    .unwrap_err();
    assert_eq!(e.rule, "attribution");
}

#[test]
fn stages_are_the_kinds() {
    // A case is not prepared in stages: it says so.
    let mut c = doc(
        "0193a5b0-0000-7000-8000-0000000000d1",
        DocKind::CASE,
        "病例",
    )
    .create();
    let mut ids = SeqIds::new("k");
    c.set_group(
        &GroupInput {
            lead: lead(),
            participants: vec![],
            due: vec![],
        },
        &mut ctx("李", &mut ids, 1_000),
    )
    .unwrap();
    let err = c
        .move_stage("discussion", &lead(), &mut ctx("李", &mut ids, 1_100))
        .unwrap_err();
    assert!(err.to_string().contains("not prepared in stages"), "{err}");
    // A lesson plan's stages are the ones its kind declares, and a stage
    // it does not declare is refused by the office's rules too.
    assert_eq!(DocKind::LESSON_PLAN.stages().len(), 6);
    let mut d = grouped();
    let e = as_member(&mut d, &OWNER_LEAD, |d, _| {
        use automerge::ReadDoc;
        use automerge::transaction::Transactable;
        d.move_stage(
            "discussion",
            &lead(),
            &mut ctx("李", &mut SeqIds::new("kk"), 2_000),
        )
        .unwrap();
        let am = d.automerge_mut();
        let col = am.get(automerge::ROOT, "collab").unwrap().unwrap().1;
        let log = am.get(&col, "stages").unwrap().unwrap().1;
        let k = am.keys(&log).next().unwrap();
        let e = am.get(&log, k.as_str()).unwrap().unwrap().1;
        am.put(&e, "stage", "shipped").unwrap();
        am.commit();
    })
    .unwrap_err();
    assert_eq!(e.rule, "stage");
}

/// Two devices that each make the first comment on a plan create its
/// `collab` map twice; Automerge keeps both and shows one. A shared case's
/// squash carries collaboration data into one change: it must carry both
/// maps' comments, not only the one shown.
#[test]
fn a_squash_carries_comments_from_both_of_two_conflicting_collab_maps() {
    let mut a = doc(ID, DocKind::CASE, "腹泻病例")
        .author("李主任")
        .at(1_000)
        .ids("a")
        .fields(json!({ "present_illness": "腹泻三天。" }))
        .create();
    a.set_actor(actor(1));
    let base = a.heads();
    let mut b = fork(&mut a, 2);
    let (mut ia, mut ib) = (SeqIds::new("x"), SeqIds::new("y"));
    a.comment(
        &Target::default(),
        "甲的意见",
        None,
        &[],
        &lead(),
        &mut ctx("李主任", &mut ia, 2_000),
    )
    .unwrap();
    b.comment(
        &Target::default(),
        "乙的意见",
        None,
        &[],
        &township(),
        &mut ctx("王医生", &mut ib, 2_000),
    )
    .unwrap();
    sync(&mut a, &mut b);
    let bodies = |d: &Document| -> Vec<String> {
        let mut v: Vec<String> = d
            .collab()
            .threads
            .iter()
            .flat_map(|t| t.messages.iter().map(|m| m.body.clone()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(bodies(&a), ["乙的意见", "甲的意见"], "both are read");
    let squashed = a
        .squashed(&base, actor(1), &mut ctx("李主任", &mut ia, 3_000))
        .unwrap();
    assert_eq!(bodies(&squashed), ["乙的意见", "甲的意见"]);
}

proptest::proptest! {
    /// Accepting a suggestion nobody edited around makes the selection
    /// read exactly what was proposed, whatever the two texts share.
    #[test]
    fn an_accepted_suggestion_reads_as_proposed(
        cut in (0usize..25, 0usize..25),
        proposed in "[先再以病例讨论补液，。ab]{1,24}",
    ) {
        let mut d = plan();
        let mut ids = SeqIds::new("p");
        let chars: Vec<char> = METHODS.chars().collect();
        // A selection of at least one character of the 25.
        let from = cut.0.min(cut.1);
        let to = cut.0.max(cut.1).max(from + 1);
        let t = d
            .comment(
                &Target {
                    field: "methods".into(),
                    range: Some((from, to)),
                    ..Target::default()
                },
                "",
                Some(&proposed),
                &[],
                &township(),
                &mut ctx("乡镇王医生", &mut ids, 2_000),
            )
            .unwrap();
        d.decide_suggestion(&t, true, &lead(), &mut ctx("李主任", &mut ids, 2_100))
            .unwrap();
        let want: String = chars[..from]
            .iter()
            .chain(proposed.chars().collect::<Vec<_>>().iter())
            .chain(chars[to..].iter())
            .collect();
        proptest::prop_assert_eq!(text(&d, "methods"), want);
    }
}
