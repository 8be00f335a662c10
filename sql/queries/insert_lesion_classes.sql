-- Store freshly derived lesion classes from the registered frame _new_lesion_classes (registry.score_store).
insert into lesion_classes (timepoint_id, lesion_id, lesion_class, class_score)
select timepoint_id, lesion_id, lesion_class, class_score from _new_lesion_classes
