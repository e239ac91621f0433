//! Roles of seller panel accounts and what each may do: the one rule the panel's router asks
//! before any state-changing request runs.

/// What a panel account may do, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Looks at everything, changes nothing.
    Readonly,
    /// Everyday support: bans and unbans, HWID resets, extending. No deletion, no secrets,
    /// no settings, no new keys.
    Support,
    /// Everything the seller can do.
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Support, Role::Readonly];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Support => "support",
            Self::Readonly => "readonly",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role may do what `needed` may.
    pub fn may(self, needed: Role) -> bool {
        self >= needed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
        assert!(Role::Owner.may(Role::Support) && Role::Support.may(Role::Support));
        assert!(!Role::Readonly.may(Role::Support) && !Role::Support.may(Role::Owner));
    }
}
