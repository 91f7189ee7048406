//! What USB bundles keep in a PostgreSQL office: device keys, the office's
//! key, imported bundle ids. [`OfficeDb`]'s methods for them call these.

use super::*;

impl PgDb {
    pub(super) fn device_by_id_impl(
        &self,
        device: &str,
    ) -> DbResult<Option<(TokenHolder, Option<Vec<u8>>)>> {
        let c = self.client()?;
        let row = c.query_opt(&format!(
                "SELECT {}, k.public FROM {} LEFT JOIN bundle_keys k ON k.device = d.id WHERE d.id = $1",
                store::HOLDER_COLUMNS,
                store::HOLDER_FROM
            ),
            &[&device],
        )?;
        Ok(row.map(|r| (store::token_holder(&r), r.get(7))))
    }

    pub(super) fn set_bundle_key_impl(
        &self,
        device: &str,
        public: &[u8],
        now: i64,
    ) -> DbResult<()> {
        let c = self.client()?;
        c.execute("INSERT INTO bundle_keys (device, public, created) VALUES ($1, $2, $3)
             ON CONFLICT (device) DO UPDATE SET public = excluded.public, created = excluded.created",
            &[&device, &public, &now],
        )?;
        Ok(())
    }

    pub(super) fn office_key_impl(
        &self,
        office: &str,
        fresh: &[u8],
        now: i64,
    ) -> DbResult<Vec<u8>> {
        let c = self.client()?;
        // Two processes inserting at once: one row wins, and both read it.
        c.execute("INSERT INTO office_keys (office, seed, created) VALUES ($1, $2, $3) ON CONFLICT (office) DO NOTHING",
            &[&office, &fresh, &now],
        )?;
        Ok(
            c.query_one("SELECT seed FROM office_keys WHERE office = $1", &[&office])?
                .get(0),
        )
    }

    pub(super) fn bundle_imported_impl(&self, id: &str) -> DbResult<Option<i64>> {
        let c = self.client()?;
        Ok(
            c.query_opt("SELECT imported FROM bundles WHERE id = $1", &[&id])?
                .map(|r| r.get(0)),
        )
    }

    pub(super) fn record_bundle_impl(&self, id: &str, device: &str, now: i64) -> DbResult<bool> {
        let c = self.client()?;
        let n = c.execute("INSERT INTO bundles (id, device, imported) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
            &[&id, &device, &now],
        )?;
        Ok(n == 1)
    }
}
