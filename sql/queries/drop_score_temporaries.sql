-- Drop registry.score_store's temp tables after a refresh.
drop table if exists _new_derived_scores;
drop table if exists _score_timepoints
