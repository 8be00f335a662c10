-- Criterion fragment: the candidate's column (an expression from the whitelist in registry.cohorts) lies
-- in [$low, $high], both ends included.
{column} between $low and $high
