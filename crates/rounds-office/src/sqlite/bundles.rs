//! What USB bundles keep in an SQLite office: device keys, the office's
//! key, imported bundle ids. [`OfficeDb`]'s methods for them call these.

use rusqlite::{OptionalExtension, params};

use super::*;

impl SqliteDb {
    pub(super) fn device_by_id_impl(
        &self,
        device: &str,
    ) -> DbResult<Option<(TokenHolder, Option<Vec<u8>>)>> {
        let c = self.r();
        Ok(c.query_row(
            &format!(
                "SELECT {}, k.public FROM {} LEFT JOIN bundle_keys k ON k.device = d.id WHERE d.id = ?1",
                store::HOLDER_COLUMNS,
                store::HOLDER_FROM
            ),
            [device],
            |r| Ok((store::token_holder(r)?, r.get(7)?)),
        )
        .optional()?)
    }

    pub(super) fn set_bundle_key_impl(
        &self,
        device: &str,
        public: &[u8],
        now: i64,
    ) -> DbResult<()> {
        self.w().execute(
            "INSERT INTO bundle_keys (device, public, created) VALUES (?1, ?2, ?3)
             ON CONFLICT (device) DO UPDATE SET public = excluded.public, created = excluded.created",
            params![device, public, now],
        )?;
        Ok(())
    }

    pub(super) fn office_key_impl(
        &self,
        office: &str,
        fresh: &[u8],
        now: i64,
    ) -> DbResult<Vec<u8>> {
        let c = self.w();
        c.execute(
            "INSERT INTO office_keys (office, seed, created) VALUES (?1, ?2, ?3) ON CONFLICT (office) DO NOTHING",
            params![office, fresh, now],
        )?;
        Ok(c.query_row(
            "SELECT seed FROM office_keys WHERE office = ?1",
            [office],
            |r| r.get(0),
        )?)
    }

    pub(super) fn bundle_imported_impl(&self, id: &str) -> DbResult<Option<i64>> {
        Ok(self
            .r()
            .query_row("SELECT imported FROM bundles WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub(super) fn record_bundle_impl(&self, id: &str, device: &str, now: i64) -> DbResult<bool> {
        let n = self.w().execute(
            "INSERT INTO bundles (id, device, imported) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING",
            params![id, device, now],
        )?;
        Ok(n == 1)
    }
}
