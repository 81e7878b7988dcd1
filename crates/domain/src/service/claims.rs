//! Warranty claims (索赔) to the maker, and the commission their value earns.
//!
//! The seeds' store pays the advisor 4% and the front-desk and technical supervisors 3% each
//! of value-added claim output, counted only once the maker has accepted the claim. Rates are
//! store settings. Commission is worked out once on a period's summed claim value, rounded half
//! up to the fen, so rounding does not pile up claim by claim.

use super::scale_half_up;
use crate::sales::vocabulary;
use crate::validation::Invalid;

vocabulary!(
    /// Where a claim stands with the maker.
    ClaimStatus {
        Draft => "draft",
        Submitted => "submitted",
        Approved => "approved",
        Rejected => "rejected",
        Paid => "paid",
    }
);

impl ClaimStatus {
    fn step(self, from: ClaimStatus, to: ClaimStatus) -> Result<ClaimStatus, Invalid> {
        if self != from {
            return Err(Invalid("claim.wrong_status"));
        }
        Ok(to)
    }

    pub fn submit(self) -> Result<ClaimStatus, Invalid> {
        self.step(ClaimStatus::Draft, ClaimStatus::Submitted)
    }

    pub fn approve(self) -> Result<ClaimStatus, Invalid> {
        self.step(ClaimStatus::Submitted, ClaimStatus::Approved)
    }

    /// The maker's refusal must say why, so the claim can be corrected.
    pub fn reject(self, reason: &str) -> Result<ClaimStatus, Invalid> {
        if reason.trim().is_empty() {
            return Err(Invalid("required"));
        }
        self.step(ClaimStatus::Submitted, ClaimStatus::Rejected)
    }

    /// A rejected claim is corrected as a draft and submitted again.
    pub fn revise(self) -> Result<ClaimStatus, Invalid> {
        self.step(ClaimStatus::Rejected, ClaimStatus::Draft)
    }

    pub fn mark_paid(self) -> Result<ClaimStatus, Invalid> {
        self.step(ClaimStatus::Approved, ClaimStatus::Paid)
    }

    /// Only claims the maker accepted count towards commission.
    pub fn earns_commission(self) -> bool {
        matches!(self, ClaimStatus::Approved | ClaimStatus::Paid)
    }
}

/// Commission rates on claim value, in basis points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommissionRates {
    pub advisor_bp: u32,
    /// Paid to each supervisor who handles warranty work.
    pub supervisor_bp: u32,
}

impl Default for CommissionRates {
    fn default() -> Self {
        CommissionRates {
            advisor_bp: 400,
            supervisor_bp: 300,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commission {
    pub advisor_fen: i64,
    pub each_supervisor_fen: i64,
}

impl CommissionRates {
    /// The commission on `claim_value_fen`, a period's accepted claims summed.
    pub fn on(&self, claim_value_fen: i64) -> Result<Commission, Invalid> {
        if claim_value_fen < 0 {
            return Err(Invalid("money.negative"));
        }
        if self.advisor_bp > 10_000 || self.supervisor_bp > 10_000 {
            return Err(Invalid("claim.rate_range"));
        }
        let share = |bp: u32| {
            scale_half_up(claim_value_fen, i64::from(bp), 10_000).ok_or(Invalid("money.too_large"))
        };
        Ok(Commission {
            advisor_fen: share(self.advisor_bp)?,
            each_supervisor_fen: share(self.supervisor_bp)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_goes_from_draft_to_paid() {
        let paid = ClaimStatus::Draft
            .submit()
            .and_then(ClaimStatus::approve)
            .and_then(ClaimStatus::mark_paid);
        assert_eq!(paid, Ok(ClaimStatus::Paid));
    }

    #[test]
    fn a_rejected_claim_says_why_and_can_be_sent_again() {
        let submitted = ClaimStatus::Draft.submit().unwrap();
        assert_eq!(submitted.reject("  "), Err(Invalid("required")));
        let rejected = submitted.reject("causal part not returned").unwrap();
        assert_eq!(
            rejected.revise().and_then(ClaimStatus::submit),
            Ok(submitted)
        );
    }

    #[test]
    fn steps_out_of_order_are_refused() {
        let wrong = Err(Invalid("claim.wrong_status"));
        assert_eq!(ClaimStatus::Draft.approve(), wrong);
        assert_eq!(ClaimStatus::Draft.reject("no"), wrong);
        assert_eq!(ClaimStatus::Submitted.mark_paid(), wrong);
        assert_eq!(ClaimStatus::Approved.revise(), wrong);
        assert_eq!(ClaimStatus::Paid.submit(), wrong);
    }

    #[test]
    fn only_accepted_claims_earn_commission() {
        let earning: Vec<_> = ClaimStatus::ALL
            .iter()
            .filter(|s| s.earns_commission())
            .collect();
        assert_eq!(earning, [&ClaimStatus::Approved, &ClaimStatus::Paid]);
    }

    #[test]
    fn commission_defaults_to_four_and_three_percent_rounded_half_up() {
        let rates = CommissionRates::default();
        assert_eq!(
            rates.on(1_234_550),
            Ok(Commission {
                advisor_fen: 49_382,
                each_supervisor_fen: 37_037
            })
        );
        let custom = CommissionRates {
            advisor_bp: 500,
            supervisor_bp: 0,
        };
        assert_eq!(custom.on(10_000).unwrap().advisor_fen, 500);
        assert_eq!(rates.on(-1), Err(Invalid("money.negative")));
        let absurd = CommissionRates {
            advisor_bp: 10_001,
            ..rates
        };
        assert_eq!(absurd.on(1), Err(Invalid("claim.rate_range")));
    }
}
