//! Writes the Word fixtures of `tests/fixtures/`: 教案 in the layouts
//! teachers' files come in, written for Rounds (the teaching content is
//! invented; no patient is real). The .docx files are committed, so the
//! tests read them as data; run this only to change them:
//!
//!     cargo run -p rounds-docx --example make_fixtures

use docx_rs::{Docx, Paragraph, Run, RunFonts, Style, StyleType, Table, TableCell, TableRow};

/// A cell: its lines, and the grid columns it spans.
struct C(&'static str, usize);

fn c(text: &'static str) -> C {
    C(text, 1)
}

fn wide(text: &'static str, span: usize) -> C {
    C(text, span)
}

fn fonts() -> RunFonts {
    RunFonts::new().east_asia("宋体").ascii("Times New Roman")
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text).fonts(fonts()))
}

fn heading(text: &str, style: &str) -> Paragraph {
    para(text).style(style)
}

fn table(rows: Vec<Vec<C>>) -> Table {
    Table::new(
        rows.into_iter()
            .map(|r| {
                TableRow::new(
                    r.into_iter()
                        .map(|C(text, span)| {
                            let mut cell = TableCell::new();
                            for line in text.split('\n') {
                                cell = cell.add_paragraph(para(line));
                            }
                            if span > 1 {
                                cell = cell.grid_span(span);
                            }
                            cell
                        })
                        .collect(),
                )
            })
            .collect(),
    )
}

fn new_doc() -> Docx {
    Docx::new()
        .default_fonts(fonts())
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .bold(),
        )
        // WPS names its heading styles in Chinese; the reader must know them.
        .add_style(Style::new("1", StyleType::Paragraph).name("标题 1").bold())
        .add_style(
            Style::new("Heading2", StyleType::Paragraph)
                .name("heading 2")
                .outline_lvl(1),
        )
}

fn save(docx: Docx, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut out).unwrap();
    std::fs::write(dir.join(name), out.into_inner()).unwrap();
    println!("wrote tests/fixtures/{name}");
}

/// (a) The plainest form: one table, a label cell beside a value cell.
fn two_column() {
    let d = new_doc()
        .add_paragraph(para("小儿腹泻病的脱水评估与口服补液").style("Title"))
        .add_table(table(vec![
            vec![c("课程名称"), c("儿科学（见习）")],
            vec![c("章节"), c("第九章 消化系统疾病 第四节 小儿腹泻病")],
            vec![c("授课类型"), c("床旁教学")],
            vec![c("授课对象"), c("实习医生")],
            vec![c("学时"), c("2")],
            vec![c("授课日期"), c("2025年9月18日")],
            vec![c("授课地点"), c("儿科病房示教室")],
            vec![c("授课教师"), c("儿科主治医师（消化组）")],
            vec![c("学情分析"), c("学员已学过体液平衡与酸碱紊乱的理论，但未在患儿身上判断过脱水程度；多数人记不清口服补液盐的配制。")],
            vec![c("教学目标"), c("1. 知识：掌握脱水程度的临床分度。\n2. 技能：熟悉口服补液盐的配制与用量计算。\n3. 态度：了解与家长沟通喂养和补液的要点。")],
            vec![c("教学重点"), c("脱水程度的评估（精神、眼窝、口渴、皮肤弹性）。")],
            vec![c("教学难点"), c("有些脱水与重度脱水的鉴别，以及何时必须静脉补液。")],
            vec![c("教学方法"), c("床旁示范、病例讨论、分组练习")],
            vec![c("教具"), c("口服补液盐、量杯、脱水评估挂图")],
            vec![c("教学过程"), c("一、导入：回顾一例秋季腹泻患儿的就诊经过（5分钟）\n二、床旁评估：带教老师示范四项体征检查（25分钟）\n三、分组练习：按体重计算补液量并配制口服补液盐（40分钟）\n四、总结与答疑（10分钟）")],
            vec![c("课堂小结"), c("评估四项体征，分度后选方案；能口服就不静脉，继续喂养，补锌 10～14 天。")],
            vec![c("课后作业"), c("为一名 12 kg、有些脱水的幼儿写出 4 小时补液计划。")],
            vec![c("参考资料"), c("《儿科学》第 9 版；世界卫生组织腹泻病治疗手册")],
        ]));
    save(d, "a-two-column.docx");
}

/// (b) Two label/value pairs per row, a label row above its text, and
/// the teaching process as a table of its own.
fn four_column() {
    let d = new_doc()
        .add_paragraph(para("教　案"))
        .add_table(table(vec![
            vec![c("课题"), wide("新生儿黄疸的识别与光疗指征", 3)],
            vec![c("课程"), c("儿科学"), c("章节"), c("新生儿疾病")],
            vec![c("授课类型"), c("教学查房"), c("授课对象"), c("住院医师")],
            vec![c("人数"), c("12人"), c("学时"), c("1.5")],
            vec![
                c("日期"),
                c("2025-11-06"),
                c("地点"),
                c("新生儿科护士站旁示教室"),
            ],
            vec![
                c("主备人"),
                c("新生儿科副主任医师"),
                c("参与备课人"),
                c("新生儿科主治医师 2 名"),
            ],
            vec![wide("学情分析", 4)],
            vec![wide(
                "住院医师第一年，熟悉胆红素代谢的生理，但对小时龄胆红素曲线的使用不熟练。",
                4,
            )],
            vec![
                c("教学目标"),
                wide(
                    "掌握生理性与病理性黄疸的区别\n熟悉光疗与换血的指征\n了解胆红素脑病的早期表现",
                    3,
                ),
            ],
            vec![c("重点"), wide("按小时龄判读胆红素值", 3)],
            vec![c("难点"), wide("高危因素对光疗阈值的影响", 3)],
        ]))
        .add_paragraph(para("教学过程"))
        .add_table(table(vec![
            vec![
                c("教学环节"),
                c("时间"),
                c("教学内容"),
                c("师生活动"),
                c("设计意图"),
            ],
            vec![
                c("病例导入"),
                c("5分钟"),
                c("展示一名生后第 3 天皮肤黄染的足月儿资料"),
                c("学员汇报病史，提出初步判断"),
                c("激发思考"),
            ],
            vec![
                c("床旁查体"),
                c("15"),
                c("示范经皮胆红素测定和黄染范围的判断"),
                c("学员分组练习测定"),
                c("把曲线和患儿联系起来"),
            ],
            vec![
                c("讨论"),
                c("20"),
                c("对照小时龄曲线讨论是否需要光疗"),
                c("小组讨论后汇报"),
                c("培养临床决策能力"),
            ],
            vec![
                c("总结"),
                c("5"),
                c("归纳光疗指征与随访要点"),
                c("学员复述要点"),
                c("巩固"),
            ],
        ]))
        .add_table(table(vec![
            vec![
                c("板书设计"),
                c("黄疸出现时间 → 小时龄胆红素 → 高危因素 → 光疗 / 换血"),
            ],
            vec![c("教学反思"), c("讨论环节时间偏紧，下次可提前发放曲线图。")],
        ]));
    save(d, "b-four-column.docx");
}

/// (c) No table at all: headings name the fields, paragraphs hold them.
fn headings() {
    let d = new_doc()
        .add_paragraph(heading("热性惊厥的识别与急诊处理", "Title"))
        .add_paragraph(para("课程：儿科学　章节：神经系统疾病"))
        .add_paragraph(para("授课对象：全科医生　学时：1"))
        .add_paragraph(heading("一、教学目标", "1"))
        .add_paragraph(para("1. 掌握单纯型与复杂型热性惊厥的区别。"))
        .add_paragraph(para("2. 熟悉惊厥持续状态的药物处理顺序。"))
        .add_paragraph(heading("二、教学重点与难点", "1"))
        .add_paragraph(para("重点：惊厥发作时的现场处置。"))
        .add_paragraph(para("难点：何时需要腰椎穿刺排除颅内感染。"))
        .add_paragraph(heading("三、教学方法", "1"))
        .add_paragraph(para("情景模拟结合病例讨论。"))
        .add_paragraph(heading("四、课堂小结", "Heading2"))
        .add_paragraph(para(
            "多数热性惊厥预后良好，处理重在保持气道通畅和识别危险信号。",
        ))
        .add_paragraph(para("家长宣教同样重要。"));
    save(d, "c-headings.docx");
}

/// (d) English labels, the process table inside the same table as the rest.
fn english() {
    let d = new_doc()
        .add_paragraph(para("Acute asthma in school-age children").style("Title"))
        .add_table(table(vec![
            vec![c("Course:"), c("Paediatrics"), c("Unit:"), c("Respiratory diseases")],
            vec![c("Session type:"), c("Case-based learning"), c("Learners:"), c("Residents")],
            vec![c("Number of learners:"), c("10"), c("Class hours:"), c("2")],
            vec![c("Date:"), c("2025-12-02"), c("Venue:"), c("Skills centre, room 2")],
            vec![c("Learning objectives"), wide("Classify the severity of an acute attack.\nChoose the first-line bronchodilator and steroid doses by weight.", 3)],
            vec![c("Key points"), wide("Severity signs: speech, work of breathing, oxygen saturation.", 3)],
            vec![c("Teaching methods"), wide("Case discussion in small groups; spacer demonstration.", 3)],
            vec![wide("Teaching process", 4)],
            vec![c("Stage"), c("Time (min)"), c("Teacher activity"), c("Learner activity")],
            vec![c("Opening case"), c("10"), c("Presents a wheezy 8-year-old in the emergency room"), c("Groups list the first observations they would make")],
            vec![c("Severity"), c("30"), c("Guides the groups through the severity table"), c("Groups classify three short vignettes")],
            vec![c("Summary"), wide("Recap of the stepwise plan and discharge advice.", 3)],
            vec![c("Homework"), wide("Write an asthma action plan for a family.", 3)],
        ]));
    save(d, "d-english.docx");
}

/// (e) Text that fits no field: a department's sign-off, a column the
/// process has no place for, a session type no choice names.
fn extra_text() {
    let d = new_doc()
        .add_paragraph(para("手足口病的早期识别（教案）"))
        .add_table(table(vec![
            vec![c("授课类型"), c("理论+见习"), c("授课对象"), c("乡村医生")],
            vec![c("学时"), c("2"), c("教研室审核"), c("同意实施")],
            vec![
                c("教学目标"),
                wide("能识别手足口病重症的早期表现并及时转诊。", 3),
            ],
        ]))
        .add_paragraph(para("教学过程"))
        .add_table(table(vec![
            vec![c("教学环节"), c("时间（分钟）"), c("教学内容"), c("备注")],
            vec![
                c("图片辨认"),
                c("15"),
                c("展示典型皮疹与疱疹性咽峡炎图片"),
                c("需投影仪"),
            ],
            vec![
                c("重症预警"),
                c("25"),
                c("讲解持续高热、嗜睡、肢体抖动等危险信号"),
                c(""),
            ],
        ]))
        .add_paragraph(para(
            "本教案经儿科教研室集体备课讨论，2025 年秋季学期使用。",
        ))
        .add_paragraph(para("附件：家长告知单一份（另附）"));
    save(d, "e-extra-text.docx");
}

fn main() {
    two_column();
    four_column();
    headings();
    english();
    extra_text();
}
