//! A local look-alike of Multicert's Sign'Stash service.
