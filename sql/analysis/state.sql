-- The derivation the stored analysis rows come from (no row: never built).
select derivation_sha256 from analysis_state;
