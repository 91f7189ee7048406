//! A full collective preparation cycle (集体备课) through a real office:
//! the lead preparer, a participant at a township site and a lead teacher
//! reviewing, two of them working offline, syncing in either order. Then
//! every role rule, broken by a member's device that crafts the change
//! itself, refused by the office with the state unchanged.

use rounds_core::collab::{self, GroupInput, Participant, Place, ReviewInput, Target, Who};
use rounds_core::doc::Document;
use rounds_core::schema::DocKind;
use rounds_core::{EditCtx, SeqIds, Visibility};
use rounds_office::db::Role;
use rounds_testkit::raw::{RawDevice, changes_since};
use rounds_testkit::{Office, Teacher};
use serde_json::json;

const METHODS: &str = "以一例中度脱水患儿导入，分组讨论口服补液与静脉补液的指征，最后由学员总结。";

struct Cycle {
    office: Office,
    lead: Teacher,
    town: Teacher,
    reviewer: Teacher,
    outsider: Teacher,
    plan: String,
}

fn who(t: &Teacher) -> Who {
    t.store.me().unwrap()
}

fn setup() -> Cycle {
    let office = Office::start();
    let o = office.create_office("儿科虚拟教研室");
    let mut lead = Teacher::joined(&office, &o, "李主任");
    let mut town = Teacher::joined(&office, &o, "青山镇王医生");
    let mut reviewer = Teacher::joined_as(&office, &o, "张教授", Role::LeadTeacher);
    let mut outsider = Teacher::joined(&office, &o, "外院赵老师");
    let plan = lead.create(
        DocKind::LESSON_PLAN,
        "小儿腹泻的液体疗法",
        json!({ "methods": METHODS, "summary": "Oral rehydration first." }),
    );
    lead.store
        .set_visibility(&plan, Visibility::Office)
        .unwrap();
    let town_who = who(&town);
    let input = GroupInput {
        lead: who(&lead),
        participants: vec![Participant {
            member: town_who.member.clone(),
            name: town_who.name.clone(),
            site: "青山镇卫生院".into(),
            edit: false,
        }],
        due: vec![("discussion".into(), "2027-03-10".into())],
    };
    lead.store
        .collab_change(&plan, |d, ctx, _| d.set_group(&input, ctx))
        .unwrap();
    lead.store
        .collab_change(&plan, |d, ctx, w| d.move_stage("discussion", w, ctx))
        .unwrap();
    for t in [&mut lead, &mut town, &mut reviewer, &mut outsider] {
        t.sync().unwrap();
    }
    Cycle {
        office,
        lead,
        town,
        reviewer,
        outsider,
        plan,
    }
}

fn quote_target(doc: &Document, field: &str, quote: &str) -> Target {
    let text = doc.to_json()[field].as_str().unwrap().to_owned();
    let from = text[..text.find(quote).unwrap()].chars().count();
    Target {
        field: field.into(),
        range: Some((from, from + quote.chars().count())),
        ..Target::default()
    }
}

/// The offline part of the discussion, then syncs in the order given.
fn discuss(c: &mut Cycle, town_first: bool) -> (String, String) {
    let plan = c.plan.clone();
    // The township teacher, offline: a comment and a suggestion.
    let doc = c.town.store.load(&plan).unwrap();
    let target = quote_target(&doc, "methods", "分组讨论");
    let (_, comment) = c
        .town
        .store
        .collab_change(&plan, |d, ctx, w| {
            d.comment(
                &target,
                "乡镇学员基础弱，讨论前先给出补液量计算表",
                None,
                &[],
                w,
                ctx,
            )
        })
        .unwrap();
    let target = quote_target(&doc, "methods", "最后由学员总结");
    let (_, suggestion) = c
        .town
        .store
        .collab_change(&plan, |d, ctx, w| {
            d.comment(&target, "", Some("最后由学员总结，教师点评"), &[], w, ctx)
        })
        .unwrap();
    // Editing the plan itself is refused on the device, with the office's words.
    let err = c
        .town
        .store
        .collab_change(&plan, |d, ctx, _| {
            d.apply_patch(&json!({ "summary": "改了" }), ctx)
                .map(|_| ())
        })
        .unwrap_err();
    assert!(err.to_string().starts_with("edit:"), "{err}");
    // The lead, offline too, edits inside the suggested range.
    let m = c.lead.store.load(&plan).unwrap().to_json()["methods"]
        .as_str()
        .unwrap()
        .to_owned();
    c.lead
        .store
        .edit(
            &plan,
            &json!({ "methods": m.replacen("由学员总结", "由两名学员总结", 1) }),
        )
        .unwrap();
    if town_first {
        c.town.sync().unwrap();
        c.lead.sync().unwrap();
    } else {
        c.lead.sync().unwrap();
        c.town.sync().unwrap();
    }
    c.lead.sync().unwrap();
    c.town.sync().unwrap();
    (comment, suggestion)
}

fn run_cycle(town_first: bool) {
    let mut c = setup();
    let plan = c.plan.clone();
    let (comment, suggestion) = discuss(&mut c, town_first);

    // The lead sees both, anchored where they were made.
    let doc = c.lead.store.load(&plan).unwrap();
    let col = doc.collab();
    let t = col.thread(&comment).unwrap();
    assert!(matches!(&t.place, Place::Range { text, .. } if text == "分组讨论"));
    assert_eq!(t.by, who(&c.town).member);
    let inbox = c.lead.store.inbox(true).unwrap();
    let kinds: Vec<&str> = inbox.iter().map(|i| i.kind.as_str()).collect();
    assert!(
        kinds.contains(&"comment") && kinds.contains(&"suggestion"),
        "{kinds:?}"
    );

    // Reply, accept the suggestion over the lead's own edit, resolve.
    let town_id = who(&c.town).member;
    c.lead
        .store
        .collab_change(&plan, |d, ctx, w| {
            d.reply(
                &comment,
                "好，我来加表格",
                std::slice::from_ref(&town_id),
                w,
                ctx,
            )
        })
        .unwrap();
    c.lead
        .store
        .collab_change(&plan, |d, ctx, w| {
            d.decide_suggestion(&suggestion, true, w, ctx)
        })
        .unwrap();
    c.lead
        .store
        .collab_change(&plan, |d, ctx, w| {
            d.set_thread_resolved(&comment, true, w, ctx)
        })
        .unwrap();
    let methods = c.lead.store.load(&plan).unwrap().to_json()["methods"].clone();
    assert_eq!(
        methods,
        "以一例中度脱水患儿导入，分组讨论口服补液与静脉补液的指征，最后由两名学员总结，教师点评。"
    );
    c.lead
        .store
        .collab_change(&plan, |d, ctx, w| d.move_stage("finalised", w, ctx))
        .unwrap();
    c.lead
        .store
        .collab_change(&plan, |d, ctx, w| {
            d.review_decision("submitted", "请审核", w, ctx)
        })
        .unwrap();
    c.lead.sync().unwrap();

    // The reviewer scores and approves; marks the best version.
    c.reviewer.sync().unwrap();
    let requests = c.reviewer.store.inbox(true).unwrap();
    assert!(
        requests
            .iter()
            .any(|i| i.kind == "review_request" && i.doc == plan),
        "{requests:?}"
    );
    let review = ReviewInput {
        rubric: "glassick".into(),
        scores: vec![
            ("clear_goals".into(), 5),
            ("adequate_preparation".into(), 4),
            ("appropriate_methods".into(), 4),
        ],
        recommendation: "accept".into(),
        comment: "讨论设计贴近基层".into(),
        ..ReviewInput::default()
    };
    c.reviewer
        .store
        .collab_change(&plan, |d, ctx, w| d.write_review(&review, w, ctx))
        .unwrap();
    c.reviewer
        .store
        .collab_change(&plan, |d, ctx, w| d.review_decision("approved", "", w, ctx))
        .unwrap();
    c.reviewer
        .store
        .collab_change(&plan, |d, ctx, w| d.mark_best("2027 春季精华", w, ctx))
        .unwrap();
    c.reviewer.sync().unwrap();

    // The township site adapts the finalised plan; the shared plan changes
    // later; the site takes the change and keeps its own.
    c.town.sync().unwrap();
    let copy = c.town.store.adapt(&plan, None).unwrap().id;
    let cm = c.town.store.load(&copy).unwrap().to_json()["methods"]
        .as_str()
        .unwrap()
        .to_owned();
    c.town
        .store
        .edit(
            &copy,
            &json!({ "methods": format!("{cm}（本院学员先复习生理需要量）") }),
        )
        .unwrap();
    c.town
        .store
        .set_visibility(&copy, Visibility::Office)
        .unwrap();
    c.town.sync().unwrap();
    c.lead.sync().unwrap();
    let m = c.lead.store.load(&plan).unwrap().to_json()["methods"]
        .as_str()
        .unwrap()
        .to_owned();
    c.lead
        .store
        .edit(
            &plan,
            &json!({ "methods": m.replacen("中度脱水", "中度等渗性脱水", 1) }),
        )
        .unwrap();
    c.lead
        .store
        .collab_change(&plan, |d, ctx, w| {
            d.reflect(
                "分组讨论充分",
                "补液计算需要更多时间",
                "低渗与等渗的区分",
                w,
                ctx,
            )
        })
        .unwrap();
    c.lead.sync().unwrap();
    // The office sees which sites adapted the plan.
    let sites = c.lead.store.linked_from(&plan).unwrap();
    assert!(
        sites.iter().any(|b| b.id == copy && b.field == "upstream"),
        "{sites:?}"
    );
    c.town.sync().unwrap();
    assert_eq!(c.town.store.upstream_changed(&copy).unwrap(), Some(true));
    let (_, changed) = c.town.store.take_upstream(&copy).unwrap();
    assert_eq!(changed, ["methods"]);
    let site_methods = c.town.store.load(&copy).unwrap().to_json()["methods"].clone();
    assert_eq!(
        site_methods,
        "以一例中度等渗性脱水患儿导入，分组讨论口服补液与静脉补液的指征，最后由两名学员总结，教师点评。（本院学员先复习生理需要量）"
    );
    let town_inbox: Vec<String> = c
        .town
        .store
        .inbox(false)
        .unwrap()
        .into_iter()
        .map(|i| i.kind)
        .collect();
    // The lead's reply mentioned the township teacher: a mention, not a
    // second item of the same message.
    for k in ["mention", "decision", "stage", "reflection", "best"] {
        assert!(
            town_inbox.iter().any(|x| x == k),
            "{k} missing from {town_inbox:?}"
        );
    }
    // Read state is the device's own.
    assert!(c.town.store.mark_read(None, &[]).unwrap() > 0);
    assert!(c.town.store.inbox(true).unwrap().is_empty());

    // Everyone converges on the office's document: every comment, decision
    // and score present and attributed.
    for t in [&mut c.lead, &mut c.town, &mut c.reviewer] {
        t.sync().unwrap();
    }
    let office_doc = c.office.document(&plan).unwrap();
    let want = office_doc.collab();
    for t in [&c.lead, &c.town, &c.reviewer] {
        assert_eq!(t.store.load(&plan).unwrap().collab(), want);
    }
    assert_eq!(want.review_state().unwrap().value, "approved");
    assert_eq!(want.reviews[0].reviewer, who(&c.reviewer).member);
    assert_eq!(want.reviews[0].total(), 13);
    assert_eq!(want.stage().unwrap().value, "finalised");
    let dec = want.thread(&suggestion).unwrap().decision.clone().unwrap();
    assert_eq!(
        (dec.value.as_str(), dec.by.as_str()),
        ("accepted", who(&c.lead).member.as_str())
    );
    assert_eq!(want.reflections.len(), 1);
    assert_eq!(office_doc.choice("status").as_deref(), Some("approved"));
    let record = collab::review_record(&office_doc, rounds_core::Lang::Zh);
    assert!(
        record.contains("张教授") && record.contains("13/30"),
        "{record}"
    );

    refusals(&mut c);
}

#[test]
fn a_full_cycle_with_the_township_syncing_first() {
    run_cycle(true);
}

#[test]
fn a_full_cycle_with_the_lead_syncing_first() {
    run_cycle(false);
}

/// What a member's own device makes when it skips the device's checks:
/// the office's document, changed with the member's actor.
fn crafted(
    c: &Cycle,
    t: &Teacher,
    f: impl FnOnce(&mut Document, &mut EditCtx<'_>),
) -> Vec<Vec<u8>> {
    let mut d = c.office.document(&c.plan).unwrap();
    d.set_actor(t.store.actor().clone());
    let heads = d.heads();
    let mut ids = SeqIds::new("crafted");
    let mut ctx = EditCtx {
        now_ms: 9_000_000_000_000,
        author: "crafted",
        ids: &mut ids,
    };
    f(&mut d, &mut ctx);
    changes_since(d.automerge_mut(), &heads)
}

fn refused(c: &Cycle, t: &Teacher, rule: &str, changes: Vec<Vec<u8>>) {
    let before = c.office.bytes(&c.plan).unwrap();
    let r = RawDevice::of(&c.office, t).push(&c.plan, changes);
    assert_eq!(r.rejections.len(), 1, "{rule}: accepted");
    assert!(
        r.rejections[0].message.starts_with(&format!("{rule}:")),
        "{rule}: {}",
        r.rejections[0].message
    );
    assert_eq!(
        c.office.bytes(&c.plan).unwrap(),
        before,
        "{rule}: state changed"
    );
}

fn refusals(c: &mut Cycle) {
    let town = who(&c.town);
    let outsider = who(&c.outsider);
    let lead = who(&c.lead);
    // A participant moving a stage.
    let ch = crafted(c, &c.town, |d, ctx| {
        d.move_stage("taught", &town, ctx).unwrap();
    });
    refused(c, &c.town, "stage", ch);
    // A teacher deciding a review (the plan is approved: publishing). The
    // decision sets the status too, which the kind's field rule reserves
    // for lead teachers and admins: that rule answers first.
    let ch = crafted(c, &c.town, |d, ctx| {
        d.review_decision("published", "", &town, ctx).unwrap();
    });
    refused(c, &c.town, "workflow", ch);
    // The lead publishing their own plan, even made lead teacher.
    rounds_office::db::OfficeDb::set_role(c.office.db.as_ref(), &lead.member, Role::LeadTeacher)
        .unwrap();
    let ch = crafted(c, &c.lead, |d, ctx| {
        d.review_decision("published", "", &lead, ctx).unwrap();
    });
    refused(c, &c.lead, "review", ch);
    // A member outside the group commenting.
    let ch = crafted(c, &c.outsider, |d, ctx| {
        d.comment(&Target::default(), "我也说两句", None, &[], &outsider, ctx)
            .unwrap();
    });
    refused(c, &c.outsider, "comment", ch);
    // A participant writing in the lead's name.
    let ch = crafted(c, &c.town, |d, ctx| {
        d.comment(&Target::default(), "以主备人名义", None, &[], &lead, ctx)
            .unwrap();
    });
    refused(c, &c.town, "attribution", ch);
    // A participant signing with their own member id and the lead's name.
    let masked = Who::new(town.member.clone(), lead.name.clone());
    let ch = crafted(c, &c.town, |d, ctx| {
        d.comment(&Target::default(), "冒用姓名", None, &[], &masked, ctx)
            .unwrap();
    });
    refused(c, &c.town, "attribution", ch);
    // A comment-only participant editing the plan.
    let ch = crafted(c, &c.town, |d, ctx| {
        d.apply_patch(&json!({ "summary": "偷偷改了" }), ctx)
            .unwrap();
    });
    refused(c, &c.town, "edit", ch);
    // An identifier in a comment never reaches the office.
    let ch = crafted(c, &c.town, |d, ctx| {
        let am_free = "联系我 13912345678";
        // The device's own check refuses it first…
        assert!(
            d.reply(&d.collab().threads[0].id.clone(), am_free, &[], &town, ctx)
                .is_err()
        );
    });
    assert!(ch.is_empty());
    // … and the office refuses it from a device that skips the check.
    let ch = crafted(c, &c.town, |d, ctx| {
        use automerge::ReadDoc;
        use automerge::transaction::Transactable;
        let thread = d.collab().threads[0].id.clone();
        d.reply(&thread, "placeholder", &[], &town, ctx).unwrap();
        let am = d.automerge_mut();
        let col = am.get(automerge::ROOT, "collab").unwrap().unwrap().1;
        let ths = am.get(&col, "threads").unwrap().unwrap().1;
        let th = am.get(&ths, thread.as_str()).unwrap().unwrap().1;
        let msgs = am.get(&th, "messages").unwrap().unwrap().1;
        for k in am.keys(&msgs).collect::<Vec<_>>() {
            let m = am.get(&msgs, k.as_str()).unwrap().unwrap().1;
            if am
                .get(&m, "body")
                .unwrap()
                .is_some_and(|(v, _)| v.as_str() == Some("placeholder"))
            {
                am.put(&m, "body", "联系我 13912345678").unwrap();
            }
        }
        am.commit();
    });
    refused(c, &c.town, "identifier", ch);
}

/// A small deterministic generator, so a failing order replays.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

#[test]
fn offline_discussion_in_random_orders_converges() {
    let mut total_threads = 0;
    for seed in 1..=6u64 {
        let mut rng = Lcg(seed);
        let mut c = setup();
        let plan = c.plan.clone();
        let mut made: Vec<(String, String)> = Vec::new(); // (thread, author member)
        for step in 0..24 {
            let who_n = rng.below(3);
            let action = rng.below(5);
            let t = match who_n {
                0 => &mut c.lead,
                1 => &mut c.town,
                _ => &mut c.reviewer,
            };
            let me = who(t).member;
            if action == 0 {
                let r = t.sync().unwrap();
                assert!(
                    r.rejections.is_empty(),
                    "seed {seed} step {step}: {:?}",
                    r.rejections
                );
                continue;
            }
            let doc = t.store.load(&plan).unwrap();
            let text = doc.to_json()["methods"].as_str().unwrap().to_owned();
            let len = text.chars().count();
            let from = rng.below(len.saturating_sub(2).max(1));
            let to = (from + 1 + rng.below(4)).min(len);
            let existing: Vec<String> = doc.collab().threads.iter().map(|x| x.id.clone()).collect();
            match action {
                1 | 2 => {
                    let target = Target {
                        field: "methods".into(),
                        range: Some((from, to)),
                        ..Target::default()
                    };
                    let proposed = (action == 2 && who_n != 2).then(|| format!("建议{step}"));
                    let body = format!("第{seed}轮第{step}条意见");
                    let (_, id) = t
                        .store
                        .collab_change(&plan, |d, ctx, w| {
                            d.comment(&target, &body, proposed.as_deref(), &[], w, ctx)
                        })
                        .unwrap();
                    made.push((id, me));
                }
                3 if !existing.is_empty() => {
                    let th = existing[rng.below(existing.len())].clone();
                    t.store
                        .collab_change(&plan, |d, ctx, w| {
                            d.reply(&th, &format!("回复{step}"), &[], w, ctx)
                        })
                        .unwrap();
                }
                _ if who_n == 0 => {
                    // The lead edits the plan around and inside the threads.
                    let mut chars: Vec<char> = text.chars().collect();
                    let at = rng.below(chars.len() + 1);
                    if rng.below(2) == 0 && at < chars.len() {
                        chars.remove(at);
                    } else {
                        chars.splice(at..at, format!("〔{step}〕").chars());
                    }
                    let new: String = chars.into_iter().collect();
                    t.store.edit(&plan, &json!({ "methods": new })).unwrap();
                }
                _ => {}
            }
        }
        for _ in 0..2 {
            for t in [&mut c.lead, &mut c.town, &mut c.reviewer] {
                let r = t.sync().unwrap();
                assert!(r.rejections.is_empty(), "seed {seed}: {:?}", r.rejections);
            }
        }
        let want = c.office.document(&plan).unwrap().collab();
        for t in [&c.lead, &c.town, &c.reviewer] {
            assert_eq!(t.store.load(&plan).unwrap().collab(), want, "seed {seed}");
        }
        for (id, by) in &made {
            let th = want
                .thread(id)
                .unwrap_or_else(|| panic!("seed {seed}: thread {id} lost"));
            assert_eq!(&th.by, by, "seed {seed}");
        }
        total_threads += made.len();
    }
    println!(
        "random-order discussions: 6 seeds, {total_threads} threads, all converged and attributed"
    );
}

#[test]
fn reviews_on_the_offices_own_rubric() {
    let office = Office::start();
    let o = office.create_office("儿科虚拟教研室");
    let (_, body) = rounds_office::service::parse_rubric(
        &json!({
            "name": "jiaoxue_chafang",
            "en": "Teaching round",
            "zh": "教学查房评分",
            "min": 0,
            "max": 10,
            "criteria": [
                {"key": "preparation", "en": "Preparation", "zh": "准备"},
                {"key": "bedside", "en": "Bedside teaching", "zh": "床旁教学"}
            ]
        })
        .to_string(),
    )
    .unwrap();
    rounds_office::db::OfficeDb::put_rubric(office.db.as_ref(), &o, "jiaoxue_chafang", &body, 1)
        .unwrap();
    let mut lead = Teacher::joined(&office, &o, "李主任");
    let mut rev = Teacher::joined_as(&office, &o, "张教授", Role::LeadTeacher);
    let plan = lead.create(DocKind::LESSON_PLAN, "川崎病教学查房", json!({}));
    lead.store
        .set_visibility(&plan, Visibility::Office)
        .unwrap();
    lead.store
        .collab_change(&plan, |d, ctx, w| {
            d.review_decision("submitted", "", w, ctx)
        })
        .unwrap();
    lead.sync().unwrap();
    rev.sync().unwrap();
    // The directory brought the office's rubric.
    let rubrics = rev.store.rubrics().unwrap();
    assert!(
        rubrics
            .iter()
            .any(|r| r.name == "jiaoxue_chafang" && r.max == 10)
    );
    let office_rubrics = rev.store.office_rubrics().unwrap();
    let review = ReviewInput {
        rubric: "jiaoxue_chafang".into(),
        scores: vec![("preparation".into(), 9), ("bedside".into(), 7)],
        notes: vec![("bedside".into(), "查体示范到位".into())],
        ..ReviewInput::default()
    };
    rev.store
        .collab_change(&plan, |d, ctx, w| {
            d.write_review_in(&review, &office_rubrics, w, ctx)
        })
        .unwrap();
    // Beyond its scale: refused on the device.
    let over = ReviewInput {
        scores: vec![("bedside".into(), 11)],
        ..review.clone()
    };
    assert!(
        rev.store
            .collab_change(&plan, |d, ctx, w| d.write_review_in(
                &over,
                &office_rubrics,
                w,
                ctx
            ))
            .is_err()
    );
    let r = rev.sync().unwrap();
    assert!(r.rejections.is_empty(), "{:?}", r.rejections);
    let stored = office.document(&plan).unwrap();
    assert_eq!(stored.collab().reviews[0].total(), 16);
    let record = collab::review_record_in(&stored, rounds_core::Lang::Zh, &office_rubrics);
    assert!(
        record.contains("床旁教学 | 7/10 | 查体示范到位"),
        "{record}"
    );
    // A rubric the office does not have, from a device that skips its
    // checks, is refused by the office.
    let mut d = office.document(&plan).unwrap();
    d.set_actor(rev.store.actor().clone());
    let heads = d.heads();
    let fake = rounds_core::collab::rubric::RubricDef {
        name: "made_up".into(),
        ..serde_json::from_str(&body).unwrap()
    };
    let mut ids = SeqIds::new("fake");
    let mut ctx = EditCtx {
        now_ms: 9_000_000_000_000,
        author: "x",
        ids: &mut ids,
    };
    d.write_review_in(
        &ReviewInput {
            rubric: "made_up".into(),
            scores: vec![("bedside".into(), 3)],
            ..ReviewInput::default()
        },
        &[fake],
        &who(&rev),
        &mut ctx,
    )
    .unwrap();
    let before = office.bytes(&plan).unwrap();
    let r = RawDevice::of(&office, &rev).push(&plan, changes_since(d.automerge_mut(), &heads));
    assert!(
        r.rejections[0].message.starts_with("scores:"),
        "{:?}",
        r.rejections
    );
    assert_eq!(office.bytes(&plan).unwrap(), before);
}

#[test]
fn an_edit_right_withdrawn_while_the_edit_travelled_does_not_hold_it() {
    let office = Office::start();
    let o = office.create_office("儿科虚拟教研室");
    let mut lead = Teacher::joined(&office, &o, "李主任");
    let mut town = Teacher::joined(&office, &o, "青山镇王医生");
    let plan = lead.create(
        DocKind::LESSON_PLAN,
        "新生儿黄疸",
        json!({ "methods": METHODS }),
    );
    lead.store
        .set_visibility(&plan, Visibility::Office)
        .unwrap();
    let lead_who = who(&lead);
    let group = |edit: bool, t: &Teacher| {
        let w = who(t);
        GroupInput {
            lead: lead_who.clone(),
            participants: vec![Participant {
                member: w.member,
                name: w.name,
                site: "青山镇卫生院".into(),
                edit,
            }],
            due: vec![],
        }
    };
    let may_edit = group(true, &town);
    lead.store
        .collab_change(&plan, |d, ctx, _| d.set_group(&may_edit, ctx))
        .unwrap();
    lead.sync().unwrap();
    town.sync().unwrap();
    // The township edits while it may; meanwhile the lead withdraws the right.
    town.store
        .edit(&plan, &json!({ "summary": "乡镇版小结：先口服补液" }))
        .unwrap();
    let comment_only = group(false, &town);
    lead.store
        .collab_change(&plan, |d, ctx, _| d.set_group(&comment_only, ctx))
        .unwrap();
    lead.sync().unwrap();
    let r = town.sync().unwrap();
    assert!(r.rejections.is_empty(), "{:?}", r.rejections);
    assert_eq!(
        office.document(&plan).unwrap().to_json()["summary"],
        "乡镇版小结：先口服补液"
    );
    // From now on the township's device knows, and so does the office.
    let err = town
        .store
        .edit(&plan, &json!({ "summary": "再改" }))
        .unwrap_err();
    assert!(err.to_string().starts_with("edit:"), "{err}");
    let mut d = office.document(&plan).unwrap();
    d.set_actor(town.store.actor().clone());
    let heads = d.heads();
    let mut ids = SeqIds::new("late");
    let mut ctx = EditCtx {
        now_ms: 9_000_000_000_000,
        author: "x",
        ids: &mut ids,
    };
    d.apply_patch(&json!({ "summary": "撤销后又改" }), &mut ctx)
        .unwrap();
    let before = office.bytes(&plan).unwrap();
    let r = RawDevice::of(&office, &town).push(&plan, changes_since(d.automerge_mut(), &heads));
    assert!(
        r.rejections[0].message.starts_with("edit:"),
        "{:?}",
        r.rejections
    );
    assert_eq!(office.bytes(&plan).unwrap(), before);
}
