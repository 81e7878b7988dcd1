//! The steps a deal goes through and the lead's standing, as a state machine.
//!
//! Steps only move forward. The consultant moves a lead through the early steps by hand; the
//! last two are reached by doing the thing itself (placing an order, delivering the car), so a
//! lead never claims an order that does not exist. A lost deal is requested by the consultant
//! and decided by the sales manager.

use super::vocabulary;
use crate::validation::Invalid;

vocabulary!(
    /// Where a deal stands, in process order.
    Step {
        FirstContact => "first_contact",
        NeedsAnalysis => "needs_analysis",
        Presentation => "presentation",
        TestDrive => "test_drive",
        Negotiation => "negotiation",
        Ordered => "ordered",
        Delivered => "delivered",
    }
);

vocabulary!(
    /// Whether the lead is being worked, waiting for a defeat decision, or closed.
    Standing {
        Active => "active",
        DefeatRequested => "defeat_requested",
        Defeated => "defeated",
        Won => "won",
    }
);

impl Step {
    fn rank(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// The lead's position: its step and its standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub step: Step,
    pub standing: Standing,
}

impl Position {
    pub const NEW: Position = Position {
        step: Step::FirstContact,
        standing: Standing::Active,
    };

    fn active(self) -> Result<(), Invalid> {
        match self.standing {
            Standing::Active => Ok(()),
            _ => Err(Invalid("pipeline.closed")),
        }
    }

    /// The consultant moves the lead on to a later step, up to negotiation.
    pub fn advance(self, to: Step) -> Result<Position, Invalid> {
        self.active()?;
        if matches!(to, Step::Ordered | Step::Delivered) {
            return Err(Invalid("pipeline.by_order_or_delivery"));
        }
        if to.rank() <= self.step.rank() {
            return Err(Invalid("pipeline.backwards"));
        }
        Ok(Position { step: to, ..self })
    }

    /// Recording something that belongs to a step (a test drive, a quote) brings the lead to
    /// that step unless it is already further on.
    pub fn reach(self, step: Step) -> Result<Position, Invalid> {
        self.active()?;
        Ok(Position {
            step: if step.rank() > self.step.rank() {
                step
            } else {
                self.step
            },
            ..self
        })
    }

    pub fn place_order(self) -> Result<Position, Invalid> {
        self.active()?;
        if self.step.rank() >= Step::Ordered.rank() {
            return Err(Invalid("pipeline.already_ordered"));
        }
        Ok(Position {
            step: Step::Ordered,
            ..self
        })
    }

    pub fn deliver(self) -> Result<Position, Invalid> {
        self.active()?;
        if self.step != Step::Ordered {
            return Err(Invalid("pipeline.not_ordered"));
        }
        Ok(Position {
            step: Step::Delivered,
            standing: Standing::Won,
        })
    }

    /// The consultant asks to close the lead as lost. An ordered car is cancelled first.
    pub fn request_defeat(self) -> Result<Position, Invalid> {
        self.active()?;
        if self.step.rank() >= Step::Ordered.rank() {
            return Err(Invalid("pipeline.ordered"));
        }
        Ok(Position {
            standing: Standing::DefeatRequested,
            ..self
        })
    }

    /// The sales manager approves (lead closed, kept for reactivation) or rejects (back to
    /// follow-up at the same step).
    pub fn decide_defeat(self, approve: bool) -> Result<Position, Invalid> {
        if self.standing != Standing::DefeatRequested {
            return Err(Invalid("pipeline.no_defeat_request"));
        }
        let standing = if approve {
            Standing::Defeated
        } else {
            Standing::Active
        };
        Ok(Position { standing, ..self })
    }

    /// A lost prospect re-approached from the reactivation pool is worked again.
    pub fn reactivate(self) -> Result<Position, Invalid> {
        if self.standing != Standing::Defeated {
            return Err(Invalid("pipeline.not_defeated"));
        }
        Ok(Position {
            standing: Standing::Active,
            ..self
        })
    }

    /// Follow-ups are recorded while the lead is open (a pending defeat is still open).
    pub fn accepts_follow_up(self) -> Result<(), Invalid> {
        match self.standing {
            Standing::Active | Standing::DefeatRequested => Ok(()),
            _ => Err(Invalid("pipeline.closed")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deal_runs_from_first_contact_to_delivery() {
        let lead = Position::NEW
            .advance(Step::NeedsAnalysis)
            .and_then(|p| p.reach(Step::TestDrive))
            .and_then(|p| p.advance(Step::Negotiation))
            .and_then(Position::place_order)
            .and_then(Position::deliver)
            .unwrap();
        assert_eq!(
            lead,
            Position {
                step: Step::Delivered,
                standing: Standing::Won
            }
        );
    }

    #[test]
    fn steps_never_go_back_and_may_be_skipped() {
        let at_drive = Position::NEW.advance(Step::TestDrive).unwrap();
        assert_eq!(
            at_drive.advance(Step::NeedsAnalysis),
            Err(Invalid("pipeline.backwards"))
        );
        assert_eq!(
            at_drive.advance(Step::TestDrive),
            Err(Invalid("pipeline.backwards"))
        );
        // Reaching an earlier step's activity (a second test drive) keeps the later step.
        let negotiating = at_drive.advance(Step::Negotiation).unwrap();
        assert_eq!(
            negotiating.reach(Step::TestDrive).unwrap().step,
            Step::Negotiation
        );
    }

    #[test]
    fn order_and_delivery_come_only_from_doing_them() {
        assert_eq!(
            Position::NEW.advance(Step::Ordered),
            Err(Invalid("pipeline.by_order_or_delivery"))
        );
        assert_eq!(
            Position::NEW.deliver(),
            Err(Invalid("pipeline.not_ordered"))
        );
        let ordered = Position::NEW.place_order().unwrap();
        assert_eq!(
            ordered.place_order(),
            Err(Invalid("pipeline.already_ordered"))
        );
    }

    #[test]
    fn a_defeat_is_requested_then_approved_or_rejected() {
        let asked = Position::NEW.request_defeat().unwrap();
        assert_eq!(asked.standing, Standing::DefeatRequested);
        assert!(asked.accepts_follow_up().is_ok());
        assert_eq!(
            asked.advance(Step::Presentation),
            Err(Invalid("pipeline.closed"))
        );
        let rejected = asked.decide_defeat(false).unwrap();
        assert_eq!(rejected, Position::NEW);
        let lost = asked.decide_defeat(true).unwrap();
        assert_eq!(lost.standing, Standing::Defeated);
        assert_eq!(lost.accepts_follow_up(), Err(Invalid("pipeline.closed")));
        assert_eq!(
            lost.decide_defeat(true),
            Err(Invalid("pipeline.no_defeat_request"))
        );
        assert_eq!(lost.reactivate().unwrap(), Position::NEW);
    }

    #[test]
    fn an_ordered_deal_cannot_be_declared_lost() {
        let ordered = Position::NEW.place_order().unwrap();
        assert_eq!(ordered.request_defeat(), Err(Invalid("pipeline.ordered")));
    }
}
