-- Record which derivation the stored analysis rows come from, and when they were last refreshed.
insert into analysis_state (derivation_sha256, refreshed_at) values ($sha256, current_timestamp::timestamp);
