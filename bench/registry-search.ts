import pg from "pg";
import { PgJournal } from "../src/journal/pg-journal.ts";
import { traceSerial } from "../src/journal/trace.ts";
import { identity } from "../src/record/identity.ts";
import { pgSchema } from "../test/journal/engines.ts";
import { quantile } from "../test/journal/registry-race.ts";

/**
 * Searches over a registry of N jobs (default one million), through the journal's own
 * `find` and `search` (the queries a trace request makes), on the indexes of
 * src/journal/pg-migrations.ts. The rows are made by one INSERT … SELECT on the server:
 * serials are ten characters of an md5 in an alphabet the serial identity leaves as it is
 * (upper case; 0, 1 and b written g, h and j), so the key is the serial in lower case; a
 * sample is checked against record/identity.ts before anything is measured. Figures are the
 * p50/p95 of repeated runs of each query, different values each run.
 */
const MAKERS = ["Forjas Querétaro S.A.", "Armería Centroamericana S.A.", "Indumil", "Cañones del Sur", "Armas del Norte", "Fábrica Nacional de Armas", "Taller Andino", "Industrias Beta"];
const MODELS = ["P-9 Compacta", "P-9 100% Acero", "FAL 50.61", "Galil ACE 22", "CZ 75", "Glock 17", "Hi-Power", "M4A1"];

export async function benchSearch(url: string, rows: number, runs = 40): Promise<void> {
  const db = await pgSchema(url);
  const journal = new PgJournal({ url, schema: db.schema });
  try {
    await journal.open();
    const c = new pg.Client({ connectionString: url, options: `-c search_path=${db.schema}` });
    await c.connect();
    const makerKeys = MAKERS.map(identity);
    const t0 = performance.now();
    await c.query(
      `INSERT INTO jobs (outcome, record_json, serial, manufacturer, place_city, place_country_code, place_country_name, model, caliber,
                         profile_id, profile_hash, station_id, program_hash, program_lines, strike_count, technician, created_at, ended_at,
                         serial_key, maker_key)
       SELECT CASE WHEN i % 50 = 0 THEN 'aborted' WHEN i % 97 = 0 THEN 'interrupted' ELSE 'completed' END,
              json_build_object('serial', s, 'manufacturer', ($1::text[])[1 + i % 8], 'place', json_build_object('city', 'Querétaro', 'country', json_build_object('code', 'MX', 'name', 'México')),
                                'model', ($3::text[])[1 + i % 8], 'caliber', '9×19 mm')::text,
              s, ($1::text[])[1 + i % 8], 'Querétaro', 'MX', 'México', ($3::text[])[1 + i % 8], '9×19 mm',
              'frame-left', repeat('a', 64), 'st-' || lpad((i % 8 + 1)::text, 2, '0'), repeat('b', 64), 120, 480, 'Ana Núñez',
              to_char(timestamp '2025-01-01' + (i * interval '63 seconds'), 'YYYY-MM-DD"T"HH24:MI:SS.000"Z"'),
              to_char(timestamp '2025-01-01' + (i * interval '63 seconds') + interval '90 seconds', 'YYYY-MM-DD"T"HH24:MI:SS.000"Z"'),
              lower(s), ($2::text[])[1 + i % 8]
       FROM (SELECT i, upper(translate(substr(md5(i::text), 1, 10), '01b', 'ghj')) AS s FROM generate_series(1, $4::int) AS i) g`,
      [MAKERS, makerKeys, MODELS, rows],
    );
    // A registry's rows arrive over years and autovacuum (PostgreSQL 13+ vacuums after inserts
    // too) keeps the table's visibility map current, which index-only scans read; a million rows
    // loaded in one statement have none until the first vacuum. Vacuumed here as a live registry is.
    await c.query("VACUUM (ANALYZE) jobs");
    const filled = performance.now() - t0;
    const sample = (await c.query<{ serial: string; serial_key: string }>("SELECT serial, serial_key FROM jobs TABLESAMPLE SYSTEM (1) LIMIT 1000")).rows;
    const wrong = sample.filter((r) => identity(r.serial) !== r.serial_key);
    if (wrong.length) throw new Error(`the generated keys are not the identity of their serials: ${JSON.stringify(wrong.slice(0, 3))}`);
    const serials = (await c.query<{ serial: string }>(`SELECT serial FROM jobs WHERE id % ${Math.max(1, Math.floor(rows / 500))} = 0 LIMIT 500`)).rows.map((r) => r.serial);
    const size = (await c.query<{ s: string }>("SELECT pg_size_pretty(pg_total_relation_size('jobs')) AS s")).rows[0]!.s;
    await c.end();
    console.log(`\n### Search over ${rows.toLocaleString("en")} jobs (filled in ${(filled / 1000).toFixed(1)} s; jobs with indexes ${size})\n`);

    let k = 0;
    const pick = () => serials[k++ % serials.length]!;
    const cases: [string, () => Promise<number>][] = [
      ["find: exact serial (identity), typed in lower case", async () => (await journal.find(pick().toLowerCase())).length],
      ["search: 5 characters from the middle of a serial", async () => (await journal.search({ serial: pick().slice(3, 8) })).total],
      ["search: 3 characters (a worn serial)", async () => (await journal.search({ serial: pick().slice(4, 7) })).total],
      ["search: part of a maker and one month", async () => (await journal.search({ maker: "querétaro", from: `2025-${String(1 + (k++ % 12)).padStart(2, "0")}-01`, to: `2025-${String(1 + (k % 12)).padStart(2, "0")}-28` })).total],
      ["search: a station and an outcome", async () => (await journal.search({ station: `st-0${1 + (k++ % 8)}`, outcome: "interrupted" })).total],
      ["trace: a serial with one character unreadable (?)", async () => {
        const s = pick();
        return (await traceSerial(journal, `${s.slice(0, 4)}?${s.slice(5)}`)).length;
      }],
      ["trace: a serial read with confusables (5/S, 8/B, 2/Z)", async () => (await traceSerial(journal, pick().replace(/[58]/g, (c) => (c === "5" ? "S" : "B")))).length],
      ["search: part of a model", async () => (await journal.search({ model: ["galil", "75", "power", "acero"][k++ % 4]! })).total],
    ];
    console.log("| query | p50 | p95 | matches (last run) |");
    console.log("|---|---:|---:|---:|");
    for (const [what, run] of cases) {
      for (let w = 0; w < 3; w++) await run();
      const times: number[] = [];
      let n = 0;
      for (let r = 0; r < runs; r++) {
        const t = performance.now();
        n = await run();
        times.push(performance.now() - t);
      }
      console.log(`| ${what} | ${quantile(times, 0.5).toFixed(1)} ms | ${quantile(times, 0.95).toFixed(1)} ms | ${n} |`);
    }
  } finally {
    await journal.close();
    await db.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.PEENMARK_BENCH_PG || process.env.PEENMARK_TEST_PG;
  if (!url) throw new Error("set PEENMARK_BENCH_PG or PEENMARK_TEST_PG");
  await benchSearch(url, Number(process.argv[2] ?? 1_000_000));
}
