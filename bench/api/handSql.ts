// The hand-written list statement (H): served by handServer.ts, costed by listCost.ts.

// LIMIT on deals alone, then two primary-key joins for the 50 rows kept.
export const HAND_LIST_SQL = `
SELECT d.id, d.title, d.value, d.currency, d.stage, d.expected_close_date,
       c.id AS c_id, c.first_name, c.last_name, c.email, co.id AS co_id, co.name AS co_name
  FROM (SELECT id, title, value, currency, stage, expected_close_date, contact_id, company_id
          FROM deals
         WHERE tenant_id = $1 AND deleted_at IS NULL AND stage = ANY($2::"DealStage"[]) AND value >= $3
         ORDER BY value DESC, id
         LIMIT $4) d
  LEFT JOIN contacts c ON c.id = d.contact_id AND c.tenant_id = $1 AND c.deleted_at IS NULL
  LEFT JOIN companies co ON co.id = d.company_id AND co.tenant_id = $1 AND co.deleted_at IS NULL
 ORDER BY d.value DESC, d.id`;
