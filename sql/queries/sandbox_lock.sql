-- Before user SQL runs: no file or network access, no extension installed or loaded on demand, no community
-- extension, and the configuration locked so that none of it can be turned back on (lock must come last).
set autoinstall_known_extensions = false;
set autoload_known_extensions = false;
set allow_community_extensions = false;
set enable_external_access = false;
set lock_configuration = true;
