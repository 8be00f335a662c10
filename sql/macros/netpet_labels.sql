-- The NETPET labels of a score 0-5, one definition for every view: the score label ('P3') and the group used in
-- survival analysis ('P1', 'P2-4', 'P5'; 'P0' apart), as Chan et al. 2017 group the score (registry.scoring
-- holds the same rule for polars frames). Created before the views, on every writable open.
create or replace macro netpet_score_label(score) as
    case when score is not null then 'P' || score end;

create or replace macro netpet_group_label(score) as
    case
        when score = 0 then 'P0'
        when score = 1 then 'P1'
        when score between 2 and 4 then 'P2-4'
        when score = 5 then 'P5'
    end;
