//! The member directory: which members an office has and where each works,
//! for a device that names colleagues (a lead preparer, participants at
//! several sites, reviewers) and needs its own member id, by which the
//! office attributes what it sends.

use rounds_core::collab::rubric::RubricDef;
use rounds_proto::{CriterionEntry, MemberEntry, MembersResponse, RubricEntry};

use super::{ApiError, Service};
use crate::db::*;

/// The longest site a member may be given, in characters.
pub const MAX_SITE_CHARS: usize = 100;

/// A member's site as the administrator typed it, trimmed: at most
/// [`MAX_SITE_CHARS`] characters and no control characters (a line break
/// would break `member list` and every list a device shows it in). Empty
/// is allowed: no site.
pub fn check_site(site: &str) -> Result<&str, String> {
    let site = site.trim();
    if site.chars().count() > MAX_SITE_CHARS {
        return Err(format!(
            "site: must be at most {MAX_SITE_CHARS} characters (it has {})",
            site.chars().count()
        ));
    }
    if site.chars().any(char::is_control) {
        return Err(
            "site: must not contain control characters (line breaks, tabs and the like)".into(),
        );
    }
    Ok(site)
}

/// A rubric an administrator gives as JSON (`rounds-office rubric add`),
/// checked ([`RubricDef::validate`]), and the JSON to store for it.
pub fn parse_rubric(json: &str) -> Result<(RubricDef, String), String> {
    let r: RubricDef = serde_json::from_str(json).map_err(|e| format!("not a rubric: {e}"))?;
    r.validate()?;
    let body = serde_json::to_string(&r).map_err(|e| e.to_string())?;
    Ok((r, body))
}

impl Service {
    /// The current members of the sender's office, and who the sender is.
    /// Only the sender's own office: the query is by the office the token
    /// belongs to, never by anything the device sends.
    pub fn members(&self, ctx: &DeviceCtx) -> Result<MembersResponse, ApiError> {
        let members = self
            .db
            .members(&ctx.office)?
            .into_iter()
            .filter(|m| m.removed.is_none())
            .map(|m| MemberEntry {
                id: m.id,
                name: m.name,
                role: m.role.as_str().to_owned(),
                site: m.site,
            })
            .collect();
        let rubrics = self
            .office_rubrics(&ctx.office)?
            .into_iter()
            .map(|r| RubricEntry {
                name: r.name,
                en: r.en,
                zh: r.zh,
                min: r.min,
                max: r.max,
                criteria: r
                    .criteria
                    .into_iter()
                    .map(|c| CriterionEntry {
                        key: c.key,
                        en: c.en,
                        zh: c.zh,
                    })
                    .collect(),
            })
            .collect();
        Ok(MembersResponse {
            you: ctx.member.clone(),
            office: ctx.office.clone(),
            members,
            rubrics,
        })
    }

    /// The office's own review rubrics. A stored one that no longer reads
    /// as a valid rubric is left out (and logged), never served.
    pub fn office_rubrics(&self, office: &str) -> Result<Vec<RubricDef>, ApiError> {
        Ok(self
            .db
            .rubrics(office)?
            .into_iter()
            .filter_map(|(name, body)| {
                match serde_json::from_str::<RubricDef>(&body)
                    .map_err(|e| e.to_string())
                    .and_then(|r| r.validate().map(|()| r))
                {
                    Ok(r) => Some(r),
                    Err(e) => {
                        tracing::error!(office, rubric = %name, error = %e, "stored rubric is not valid");
                        None
                    }
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::service::{Limits, new_id};
    use crate::sqlite::SqliteDb;

    #[test]
    fn a_site_is_trimmed_bounded_and_printable() {
        assert_eq!(check_site("  县人民医院儿科 "), Ok("县人民医院儿科"));
        assert_eq!(check_site(""), Ok(""));
        let longest = "院".repeat(MAX_SITE_CHARS);
        assert_eq!(check_site(&longest), Ok(longest.as_str()));
        let err = check_site(&"院".repeat(MAX_SITE_CHARS + 1)).unwrap_err();
        assert!(err.contains("at most 100 characters"), "{err}");
        for bad in ["县医院\n儿科", "县医院\t儿科", "县医院\u{7}"] {
            let err = check_site(bad).unwrap_err();
            assert!(err.contains("control characters"), "{err}");
        }
    }

    #[test]
    fn the_directory_lists_the_current_members_of_the_senders_office() {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(SqliteDb::open_dir(dir.path()).unwrap());
        let svc = Service::new(db.clone(), Limits::default());
        let o = db.create_office(&new_id(), "一院", 0).unwrap().id;
        let other = db.create_office(&new_id(), "二院", 0).unwrap().id;
        let lead = db
            .add_member(&new_id(), &o, "主备人", Role::LeadTeacher, 1)
            .unwrap()
            .id;
        let gone = db
            .add_member(&new_id(), &o, "离职者", Role::Teacher, 2)
            .unwrap()
            .id;
        let outsider = db
            .add_member(&new_id(), &other, "外院", Role::Teacher, 3)
            .unwrap()
            .id;
        db.set_site(&lead, "县人民医院儿科").unwrap();
        db.remove_member(&gone, 4).unwrap();
        // A removed member's site cannot be set any more.
        assert!(matches!(db.set_site(&gone, "x"), Err(DbError::NotFound(_))));
        let ctx = DeviceCtx {
            device: "d".into(),
            member: lead.clone(),
            member_name: "lead".into(),
            office: o.clone(),
            role: Role::LeadTeacher,
        };
        let m = svc.members(&ctx).unwrap();
        assert_eq!(m.you, lead);
        assert_eq!(m.office, o);
        assert_eq!(
            m.members,
            vec![MemberEntry {
                id: lead.clone(),
                name: "主备人".into(),
                role: "lead_teacher".into(),
                site: "县人民医院儿科".into(),
            }]
        );
        assert!(!m.members.iter().any(|e| e.id == outsider));
    }
}
