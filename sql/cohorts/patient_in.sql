-- Criterion fragment: the candidate's column (an expression from the whitelist in registry.cohorts) is
-- one of $values.
list_contains($values, {column})
