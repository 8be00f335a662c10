-- Store freshly derived scores from temp table _new_derived_scores (registry.score_store).
insert into derived_scores (timepoint_id, derived_score, p4_subclass, lesion_count, discordant_count)
select timepoint_id, derived_score, p4_subclass, lesion_count, discordant_count from _new_derived_scores
