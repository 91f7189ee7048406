//! Preparing a plan together through the desktop app's commands, against a
//! real office on port 0: the lead preparer, a participant at a township
//! site and a lead teacher reviewing, each an app on a library of its own.
//! Every refusal by the office's rules comes back as `forbidden` naming the
//! rule; nothing is changed by it.

use std::collections::BTreeMap;
use std::path::Path;

use rounds_app::{
    App, ErrorCode, GroupForm, GroupMember, Language, PieceView, PlaceView, ReviewForm, TargetInput,
};
use rounds_core::schema::DocKind;
use rounds_office::db::{OfficeDb, Role};
use rounds_store::Store;
use rounds_testkit::Office;
use rounds_testkit::app::new_doc;
use serde_json::json;

const METHODS: &str = "以一例中度脱水患儿导入，分组讨论口服补液与静脉补液的指征，最后由学员总结。";

struct Device {
    app: App,
    dir: tempfile::TempDir,
}

impl Device {
    fn join(office: &Office, office_id: &str, name: &str, role: Role, site: &str) -> Device {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path()).unwrap();
        let member = office.add_member_as(office_id, name, role);
        if !site.is_empty() {
            office.db.set_site(&member, site).unwrap();
        }
        app.join(&office.url, &office.code(&member), "pc", None)
            .unwrap();
        Device { app, dir }
    }

    /// One sync on a connection of its own, as the app's worker does.
    fn sync(&self) {
        sync_dir(self.dir.path());
    }

    fn me(&self, id: &str) -> GroupMember {
        let m = self.app.collab(id).unwrap().me.unwrap();
        GroupMember {
            member: m.id,
            name: m.name,
            site: m.site,
            edit: false,
        }
    }
}

fn sync_dir(dir: &Path) {
    let mut s = Store::open_dir(dir).unwrap();
    rounds_client::sync_joined(&mut s, dir).unwrap();
}

fn methods_at(from: u32, to: u32) -> TargetInput {
    TargetInput {
        field: "methods".into(),
        row: String::new(),
        item: String::new(),
        range: Some((from, to)),
    }
}

/// Code points of `part` in `text`.
fn range_of(text: &str, part: &str) -> (u32, u32) {
    let byte = text.find(part).unwrap();
    let from = text[..byte].chars().count() as u32;
    (from, from + part.chars().count() as u32)
}

#[test]
fn before_joining_nothing_collaborative_is_possible() {
    let (app, _d) = rounds_testkit::app::open("王老师");
    let id = new_doc(&app, DocKind::LESSON_PLAN, "小儿肺炎", Language::Zh)
        .summary
        .id;
    let v = app.collab(&id).unwrap();
    assert!(v.me.is_none());
    assert!(!v.allowed.comment);
    assert_eq!(v.stage_table.len(), 6);
    assert_eq!(v.stage_table[0].label.zh, "个人初备");
    assert!(v.rubrics.iter().any(|r| r.name == "glassick"));
    let e = app.comment(&id, &methods_at(0, 1), "好", &[]).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotJoined);
    assert!(app.inbox(false).unwrap().is_empty());
}

#[test]
fn a_whole_cycle_through_the_app() {
    let office = Office::start();
    let o = office.create_office("儿科虚拟教研室");
    let lead = Device::join(&office, &o, "李主任", Role::Teacher, "市儿童医院");
    let town = Device::join(&office, &o, "王医生", Role::Teacher, "青山镇卫生院");
    let reviewer = Device::join(&office, &o, "张教授", Role::LeadTeacher, "");
    // Each device's first sync caches the office's member directory.
    for d in [&lead, &town, &reviewer] {
        d.sync();
    }

    let plan = new_doc(
        &lead.app,
        DocKind::LESSON_PLAN,
        "小儿腹泻的液体疗法",
        Language::Zh,
    )
    .summary
    .id;
    lead.app
        .edit(&plan, &json!({ "methods": METHODS }))
        .unwrap();
    lead.app.share(&plan, false).unwrap();
    lead.sync();

    // The directory names every member with their site; the owner may set
    // the group.
    let v = lead.app.collab(&plan).unwrap();
    assert_eq!(v.members.len(), 3, "{:?}", v.members);
    let me = v.me.clone().unwrap();
    assert_eq!(me.name, "李主任");
    assert_eq!(me.site, "市儿童医院");
    assert!(v.allowed.set_group && v.allowed.comment && v.allowed.edit);
    let town_m = v.members.iter().find(|m| m.name == "王医生").unwrap();
    assert_eq!(town_m.site, "青山镇卫生院");
    let group = GroupForm {
        lead: lead.me(&plan),
        participants: vec![GroupMember {
            member: town_m.id.clone(),
            name: town_m.name.clone(),
            site: town_m.site.clone(),
            edit: false,
        }],
        due: BTreeMap::from([("discussion".to_owned(), "2027-03-10".to_owned())]),
    };
    let v = lead.app.set_group(&plan, &group).unwrap();
    let g = v.group.unwrap();
    assert_eq!(g.lead_name, "李主任");
    assert_eq!(g.participants[0].site, "青山镇卫生院");
    assert_eq!(g.due["discussion"], "2027-03-10");
    assert!(v.allowed.move_stage);
    let v = lead.app.move_stage(&plan, "discussion").unwrap();
    assert_eq!(v.stage.unwrap().value, "discussion");
    lead.sync();

    // The participant: comment-only, may not move stages.
    town.sync();
    let inbox = town.app.inbox(true).unwrap();
    let stage = inbox.iter().find(|i| i.kind == "stage").unwrap();
    assert_eq!(stage.text, "discussion");
    assert_eq!(stage.label.as_ref().unwrap().zh, "集体研讨");
    let v = town.app.collab(&plan).unwrap();
    assert!(v.allowed.comment && !v.allowed.edit && !v.allowed.move_stage);
    assert!(!v.allowed.decide_suggestions);
    let e = town.app.move_stage(&plan, "finalised").unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert_eq!(e.field.as_deref(), Some("stage"));
    assert!(e.message.contains("lead preparer"), "{}", e.message);
    assert_eq!(
        town.app.collab(&plan).unwrap().stage.unwrap().value,
        "discussion",
        "nothing changed"
    );

    // A comment on a selection, mentioning the lead; a suggestion.
    let (a, b) = range_of(METHODS, "中度脱水患儿");
    let v = town
        .app
        .comment(
            &plan,
            &methods_at(a, b),
            "建议写明脱水程度的评估方法",
            std::slice::from_ref(&g.lead),
        )
        .unwrap();
    let c = &v.threads[0];
    assert_eq!(c.kind, "comment");
    assert_eq!(c.quote, "中度脱水患儿");
    assert_eq!(
        c.place,
        PlaceView::Range {
            from: a,
            to: b,
            text: "中度脱水患儿".into()
        }
    );
    let (a2, b2) = range_of(METHODS, "最后由学员总结");
    let v = town
        .app
        .suggest(
            &plan,
            &methods_at(a2, b2),
            "最后由学员总结并完成补液计算",
            "加上计算练习",
        )
        .unwrap();
    let s = v.threads.iter().find(|t| t.kind == "suggestion").unwrap();
    assert_eq!(s.proposed, "最后由学员总结并完成补液计算");
    let suggestion = s.id.clone();
    let comment = v
        .threads
        .iter()
        .find(|t| t.kind == "comment")
        .unwrap()
        .id
        .clone();
    // Only the lead decides suggestions.
    let e = town.app.decide(&plan, Some(&suggestion), true).unwrap_err();
    // (Accepting would change the text, which a comment-only participant
    // may not do either.)
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(
        matches!(e.field.as_deref(), Some("edit" | "suggestion")),
        "{e:?}"
    );
    // A suggestion without a selection is refused before anything.
    let mut whole = methods_at(0, 0);
    whole.range = None;
    assert_eq!(
        town.app.suggest(&plan, &whole, "x", "").unwrap_err().code,
        ErrorCode::Invalid
    );
    town.sync();

    // The lead's inbox: the mention, the comment and the suggestion, unread.
    lead.sync();
    let inbox = lead.app.inbox(false).unwrap();
    assert!(inbox.len() >= 2, "{inbox:?}");
    assert!(inbox.iter().all(|i| i.doc == plan && !i.read));
    assert!(inbox.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    assert!(inbox.iter().any(|i| i.kind == "mention"));
    assert!(inbox.iter().any(|i| i.kind == "suggestion"));
    let unread = lead.app.inbox_unread().unwrap();
    assert_eq!(unread.len(), 1);
    assert_eq!(unread[0].count as usize, inbox.len());
    assert_eq!(
        lead.app
            .mark_read(Some(&plan), std::slice::from_ref(&inbox[0].item))
            .unwrap(),
        1
    );
    assert_eq!(lead.app.inbox(true).unwrap().len(), inbox.len() - 1);

    // The lead replies, accepts every suggestion (the text changes) and
    // resolves the comment; the participant can reopen it.
    lead.app
        .reply(&plan, &comment, "好的，我补上", &[])
        .unwrap();
    let v = lead.app.decide(&plan, None, true).unwrap();
    let s = v.threads.iter().find(|t| t.id == suggestion).unwrap();
    assert_eq!(s.decision.as_ref().unwrap().value, "accepted");
    assert_eq!(s.state, "resolved");
    let text = lead.app.get(&plan).unwrap().fields["methods"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains("最后由学员总结并完成补液计算"), "{text}");
    let v = lead.app.resolve(&plan, &comment, true).unwrap();
    let c = v.threads.iter().find(|t| t.id == comment).unwrap();
    assert_eq!(c.state, "resolved");
    assert_eq!(c.messages.last().unwrap().body, "好的，我补上");
    lead.sync();
    town.sync();
    let v = town.app.resolve(&plan, &comment, false).unwrap();
    assert_eq!(
        v.threads.iter().find(|t| t.id == comment).unwrap().state,
        "open"
    );
    town.sync();
    lead.sync();

    // The lead deletes the commented text: the thread is orphaned, with
    // its quote.
    let now = lead.app.get(&plan).unwrap().fields["methods"]
        .as_str()
        .unwrap()
        .replace("中度脱水患儿", "");
    lead.app.edit(&plan, &json!({ "methods": now })).unwrap();
    let v = lead.app.collab(&plan).unwrap();
    assert!(
        v.threads.iter().all(|t| t.id != comment),
        "{:?} {:?}",
        v.threads,
        lead.app.get(&plan).unwrap().fields["methods"]
    );
    let o = v.orphaned.iter().find(|t| t.id == comment).unwrap();
    assert_eq!(o.place, PlaceView::Orphaned);
    assert_eq!(o.quote, "中度脱水患儿");

    // Review: the lead submits; the reviewer scores and approves; no one
    // approves a plan they lead.
    let v = lead.app.review_decision(&plan, "submitted", "").unwrap();
    assert_eq!(v.review_state.unwrap().value, "submitted");
    assert!(!v.allowed.decide_review && !v.allowed.score);
    lead.sync();
    reviewer.sync();
    let v = reviewer.app.collab(&plan).unwrap();
    assert!(v.allowed.decide_review && v.allowed.score && v.allowed.mark_best);
    let rubric = &v.rubrics.iter().find(|r| r.name == "glassick").unwrap();
    let scores: BTreeMap<String, i64> =
        rubric.criteria.iter().map(|c| (c.key.clone(), 4)).collect();
    let v = reviewer
        .app
        .write_review(
            &plan,
            &ReviewForm {
                rubric: "glassick".into(),
                scores: scores.clone(),
                notes: BTreeMap::from([("clear_goals".to_owned(), "目标清楚".to_owned())]),
                comment: "可以推广".into(),
                recommendation: "accept".into(),
                coi: String::new(),
            },
        )
        .unwrap();
    assert_eq!(v.reviews[0].total, 4 * scores.len() as i64);
    let v = reviewer
        .app
        .review_decision(&plan, "approved", "同意")
        .unwrap();
    assert_eq!(v.review_state.as_ref().unwrap().value, "approved");
    let v = reviewer.app.mark_best(&plan, "2027 春季定稿").unwrap();
    assert_eq!(v.best[0].name, "2027 春季定稿");
    let md = reviewer.app.review_record(&plan, Language::Zh).unwrap();
    assert!(md.contains("审核记录") && md.contains("可以推广"), "{md}");
    reviewer.sync();
    lead.sync();
    let approved = lead.app.inbox(true).unwrap();
    let approved = approved.iter().find(|i| i.kind == "review").unwrap();
    assert_eq!(approved.label.as_ref().unwrap().zh, "已通过：同意");
    let e = lead
        .app
        .review_decision(&plan, "published", "")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert_eq!(e.field.as_deref(), Some("review"));
    let e = lead.app.mark_best(&plan, "我的").unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);

    // Compare: the first version against the best one, field by field.
    let cmp = lead.app.compare(&plan, "1", "2027 春季定稿").unwrap();
    let m = cmp.fields.iter().find(|f| f.field == "methods").unwrap();
    assert_eq!(m.label.zh, "教学方法");
    assert!(
        m.pieces
            .iter()
            .any(|p| matches!(p, PieceView::Inserted(t) if t.contains("补液计算")))
    );
    assert!(cmp.from.len() >= 64 && cmp.to.len() >= 64);
    assert!(
        lead.app
            .compare(&plan, "2027 春季定稿", "")
            .unwrap()
            .fields
            .is_empty()
    );
    assert_eq!(
        lead.app.compare(&plan, "no such", "").unwrap_err().code,
        ErrorCode::Invalid
    );

    // The township site adapts the finalised, shared plan (二次备课).
    lead.app.move_stage(&plan, "finalised").unwrap();
    lead.sync();
    town.sync();
    assert!(town.app.collab(&plan).unwrap().allowed.adapt);
    let copy = town.app.adapt(&plan).unwrap();
    assert_eq!(copy.summary.title, "小儿腹泻的液体疗法（青山镇卫生院）");
    let copy = copy.summary.id;
    let up = town.app.collab(&copy).unwrap().upstream.unwrap();
    assert!(up.available && !up.changed && up.diff.is_empty());
    assert!(!town.app.collab(&copy).unwrap().allowed.adapt);
    town.app
        .edit(&copy, &json!({ "summary": "镇卫生院：以口服补液为主。" }))
        .unwrap();
    // The shared plan changes: the copy says so, with the diff, and takes it.
    lead.app
        .edit(&plan, &json!({ "course": "儿科学" }))
        .unwrap();
    lead.sync();
    town.sync();
    let up = town.app.collab(&copy).unwrap().upstream.unwrap();
    assert!(up.changed);
    assert!(up.diff.iter().any(|d| d.field == "course"), "{:?}", up.diff);
    let taken = town.app.take_upstream(&copy).unwrap();
    assert!(
        taken.changed.contains(&"course".to_owned()),
        "{:?}",
        taken.changed
    );
    assert_eq!(taken.view.fields["course"], "儿科学");
    assert_eq!(taken.view.fields["summary"], "镇卫生院：以口服补液为主。");
    assert!(!town.app.collab(&copy).unwrap().upstream.unwrap().changed);

    // A reflection after teaching.
    let v = town
        .app
        .reflect(
            &plan,
            "病例导入效果好",
            "增加补液计算练习",
            "学员对静脉补液指征掌握不牢",
        )
        .unwrap();
    assert_eq!(v.reflections[0].name, "王医生");
    // A participant's group change is refused by the rules, nothing changed.
    let mut taken_over = group.clone();
    taken_over.lead = town.me(&plan);
    taken_over.participants.clear();
    let e = town.app.set_group(&plan, &taken_over).unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert_eq!(e.field.as_deref(), Some("group"));
}

/// A rubric the office declared reaches the reviewer's panel with the
/// directory, and a review on it is written through the app; beyond its
/// scale it is refused.
#[test]
fn a_review_on_the_offices_own_rubric() {
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
    OfficeDb::put_rubric(office.db.as_ref(), &o, "jiaoxue_chafang", &body, 1).unwrap();
    let lead = Device::join(&office, &o, "李主任", Role::Teacher, "");
    let rev = Device::join(&office, &o, "张教授", Role::LeadTeacher, "");
    let plan = new_doc(
        &lead.app,
        DocKind::LESSON_PLAN,
        "川崎病教学查房",
        Language::Zh,
    )
    .summary
    .id;
    lead.app.share(&plan, false).unwrap();
    lead.sync();
    lead.app.review_decision(&plan, "submitted", "").unwrap();
    lead.sync();
    rev.sync();
    let v = rev.app.collab(&plan).unwrap();
    let r = v
        .rubrics
        .iter()
        .find(|r| r.name == "jiaoxue_chafang")
        .unwrap();
    assert_eq!((r.min, r.max, r.label.zh.as_str()), (0, 10, "教学查房评分"));
    assert!(v.rubrics.iter().any(|r| r.name == "glassick"));
    let form = |bedside: i64| ReviewForm {
        rubric: "jiaoxue_chafang".into(),
        scores: BTreeMap::from([
            ("preparation".to_owned(), 9),
            ("bedside".to_owned(), bedside),
        ]),
        notes: BTreeMap::new(),
        comment: String::new(),
        recommendation: String::new(),
        coi: String::new(),
    };
    assert!(rev.app.write_review(&plan, &form(11)).is_err());
    let v = rev.app.write_review(&plan, &form(7)).unwrap();
    assert_eq!(v.reviews[0].total, 16);
    let md = rev.app.review_record(&plan, Language::Zh).unwrap();
    assert!(md.contains("教学查房评分"), "{md}");
}

#[test]
fn the_group_editor_asks_the_office_for_new_colleagues() {
    let office = Office::start();
    let o = office.create_office("儿科虚拟教研室");
    let lead = Device::join(&office, &o, "李主任", Role::Teacher, "市儿童医院");
    let id = new_doc(&lead.app, DocKind::LESSON_PLAN, "小儿惊厥", Language::Zh)
        .summary
        .id;
    lead.sync();
    let before = lead.app.collab(&id).unwrap().members.len();
    // A colleague joins the office after the lead's directory was fetched.
    let newcomer = office.add_member_as(&o, "新来的刘医生", Role::Teacher);
    office.db.set_site(&newcomer, "河口乡卫生院").unwrap();
    lead.sync();
    let cached = lead.app.collab(&id).unwrap();
    assert_eq!(
        cached.members.len(),
        before,
        "the hourly cache is still fresh"
    );
    let fresh = lead.app.refresh_directory(&id).unwrap();
    let m = fresh
        .members
        .iter()
        .find(|m| m.id == newcomer)
        .expect("the newcomer is in the directory");
    assert_eq!(
        (m.name.as_str(), m.site.as_str()),
        ("新来的刘医生", "河口乡卫生院")
    );
    // Offline, the cached directory is shown as it is.
    drop(office);
    assert_eq!(
        lead.app.refresh_directory(&id).unwrap().members.len(),
        before + 1
    );
}
