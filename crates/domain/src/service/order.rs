//! The repair order (任务委托书) from reception to hand-over, as a state machine.
//!
//! The order moves forward only: reception → dispatch → work (with pauses) → the QC chain
//! (technician self-check → team-leader check → 100% final inspection) → internal delivery →
//! settlement → hand-over. A failed check is the one way back: it reopens the job it names and
//! counts a rework against it. Added work (增项) is proposed and waits for the customer's yes
//! before anyone may start it, and the car cannot be handed over before final inspection,
//! internal delivery and full payment. Jobs are addressed by their position on the order.
//! Refusals leave the order untouched: every transition returns a new order.

use crate::access::Role;
use crate::sales::vocabulary;
use crate::validation::Invalid;

vocabulary!(
    /// Where the order stands, in process order.
    Status {
        Open => "open",
        Dispatched => "dispatched",
        InProgress => "in_progress",
        Paused => "paused",
        SelfCheck => "self_check",
        TeamCheck => "team_check",
        FinalInspection => "final_inspection",
        Inspected => "inspected",
        Ready => "ready",
        Settled => "settled",
        Closed => "closed",
        Cancelled => "cancelled",
    }
);

vocabulary!(
    /// Why work stopped; shown on the workshop board.
    PauseReason {
        WaitingParts => "waiting_parts",
        WaitingApproval => "waiting_approval",
        Other => "other",
    }
);

vocabulary!(
    /// The customer's say on a job. Jobs on the signed order start approved; added work starts
    /// proposed.
    Approval {
        Proposed => "proposed",
        Approved => "approved",
        Declined => "declined",
    }
);

vocabulary!(
    /// How far the workshop is with one job.
    JobProgress {
        Pending => "pending",
        Started => "started",
        Done => "done",
    }
);

impl Status {
    fn rank(self) -> usize {
        Status::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// One job line as the state machine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    pub approval: Approval,
    pub progress: JobProgress,
    /// Times a failed QC check sent this job back.
    pub reworks: u32,
}

impl Job {
    /// A job on the order the customer signed at reception.
    pub const SIGNED: Job = Job {
        approval: Approval::Approved,
        progress: JobProgress::Pending,
        reworks: 0,
    };

    /// Added work found in the workshop, waiting for the customer.
    pub const PROPOSED: Job = Job {
        approval: Approval::Proposed,
        ..Job::SIGNED
    };

    fn to_do(self) -> bool {
        self.approval == Approval::Approved && self.progress != JobProgress::Done
    }
}

/// The internal delivery check (内部交车) the advisor signs before calling the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InternalDelivery {
    pub jobs_signed: bool,
    pub fault_gone: bool,
    pub old_parts_ready: bool,
    pub clean: bool,
    pub no_tools_left: bool,
}

impl InternalDelivery {
    /// The first unticked item, as the refusal code that names it.
    fn first_missing(&self) -> Option<&'static str> {
        [
            (self.jobs_signed, "service.checklist.jobs_signed"),
            (self.fault_gone, "service.checklist.fault_gone"),
            (self.old_parts_ready, "service.checklist.old_parts_ready"),
            (self.clean, "service.checklist.clean"),
            (self.no_tools_left, "service.checklist.no_tools_left"),
        ]
        .into_iter()
        .find_map(|(ticked, code)| (!ticked).then_some(code))
    }
}

/// A repair order's state: its status, why it is paused, and its jobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairOrder {
    pub status: Status,
    pub pause_reason: Option<PauseReason>,
    pub jobs: Vec<Job>,
}

impl RepairOrder {
    /// The order the customer signed at reception, with its approved jobs.
    pub fn open(signed_jobs: usize) -> Result<RepairOrder, Invalid> {
        if signed_jobs == 0 {
            return Err(Invalid("service.no_jobs"));
        }
        Ok(RepairOrder {
            status: Status::Open,
            pause_reason: None,
            jobs: vec![Job::SIGNED; signed_jobs],
        })
    }

    /// Refuses unless the order is in one of `from`; says whether it is too early or too late.
    fn require(
        &self,
        from: &[Status],
        too_early: &'static str,
        too_late: &'static str,
    ) -> Result<(), Invalid> {
        if matches!(self.status, Status::Closed | Status::Cancelled) {
            return Err(Invalid("service.order_closed"));
        }
        if from.contains(&self.status) {
            return Ok(());
        }
        if self.status == Status::Paused && from.contains(&Status::InProgress) {
            return Err(Invalid("service.paused"));
        }
        let latest = from.iter().map(|s| s.rank()).max().unwrap_or(0);
        Err(Invalid(if self.status.rank() > latest {
            too_late
        } else {
            too_early
        }))
    }

    fn job(&self, index: usize) -> Result<Job, Invalid> {
        self.jobs
            .get(index)
            .copied()
            .ok_or(Invalid("service.no_such_job"))
    }

    fn with_job(&self, index: usize, job: Job, status: Status) -> RepairOrder {
        let mut order = self.with_status(status);
        order.jobs[index] = job;
        order
    }

    fn with_status(&self, status: Status) -> RepairOrder {
        RepairOrder {
            status,
            pause_reason: None,
            jobs: self.jobs.clone(),
        }
    }

    const BEFORE_QC: &[Status] = &[
        Status::Open,
        Status::Dispatched,
        Status::InProgress,
        Status::Paused,
    ];
    const QC_CHAIN: &[Status] = &[
        Status::SelfCheck,
        Status::TeamCheck,
        Status::FinalInspection,
    ];

    /// The supervisor hands the order to a team (派工).
    pub fn dispatch(&self) -> Result<RepairOrder, Invalid> {
        self.require(
            &[Status::Open],
            "service.already_dispatched",
            "service.already_dispatched",
        )?;
        Ok(self.with_status(Status::Dispatched))
    }

    /// A technician's finding becomes added work waiting for the customer; returns the order
    /// and the new job's position.
    pub fn propose_job(&self) -> Result<(RepairOrder, usize), Invalid> {
        self.require(
            Self::BEFORE_QC,
            "service.work_finished",
            "service.work_finished",
        )?;
        let mut order = self.clone();
        order.jobs.push(Job::PROPOSED);
        Ok((order, self.jobs.len()))
    }

    /// The customer approves or declines one proposed job (through the advisor or the link).
    pub fn decide_job(&self, index: usize, approve: bool) -> Result<RepairOrder, Invalid> {
        self.require(
            Self::BEFORE_QC,
            "service.work_finished",
            "service.work_finished",
        )?;
        let job = self.job(index)?;
        if job.approval != Approval::Proposed {
            return Err(Invalid("service.job_not_proposed"));
        }
        let approval = if approve {
            Approval::Approved
        } else {
            Approval::Declined
        };
        let mut order = self.clone();
        order.jobs[index] = Job { approval, ..job };
        Ok(order)
    }

    /// A technician clocks on a job; only approved work may start.
    pub fn start_job(&self, index: usize) -> Result<RepairOrder, Invalid> {
        self.require(
            &[Status::Dispatched, Status::InProgress],
            "service.not_dispatched",
            "service.work_finished",
        )?;
        let job = self.job(index)?;
        match (job.approval, job.progress) {
            (Approval::Proposed, _) => Err(Invalid("service.job_not_approved")),
            (Approval::Declined, _) => Err(Invalid("service.job_declined")),
            (_, JobProgress::Started) => Err(Invalid("service.job_started")),
            (_, JobProgress::Done) => Err(Invalid("service.job_done")),
            (Approval::Approved, JobProgress::Pending) => {
                let started = Job {
                    progress: JobProgress::Started,
                    ..job
                };
                Ok(self.with_job(index, started, Status::InProgress))
            }
        }
    }

    /// A technician reports a started job done.
    pub fn complete_job(&self, index: usize) -> Result<RepairOrder, Invalid> {
        self.require(
            &[Status::InProgress],
            "service.not_in_progress",
            "service.work_finished",
        )?;
        let job = self.job(index)?;
        if job.progress != JobProgress::Started {
            return Err(Invalid("service.job_not_started"));
        }
        let done = Job {
            progress: JobProgress::Done,
            ..job
        };
        Ok(self.with_job(index, done, Status::InProgress))
    }

    pub fn pause(&self, reason: PauseReason) -> Result<RepairOrder, Invalid> {
        self.require(
            &[Status::InProgress],
            "service.not_in_progress",
            "service.work_finished",
        )?;
        Ok(RepairOrder {
            pause_reason: Some(reason),
            ..self.with_status(Status::Paused)
        })
    }

    pub fn resume(&self) -> Result<RepairOrder, Invalid> {
        self.require(
            &[Status::Paused],
            "service.not_paused",
            "service.not_paused",
        )?;
        Ok(self.with_status(Status::InProgress))
    }

    /// Work ends when every approved job is done and no proposal waits for an answer; the
    /// technician's self-check comes next.
    pub fn finish_work(&self) -> Result<RepairOrder, Invalid> {
        self.require(
            &[Status::InProgress],
            "service.not_in_progress",
            "service.work_finished",
        )?;
        if self.jobs.iter().any(|j| j.approval == Approval::Proposed) {
            return Err(Invalid("service.approval_pending"));
        }
        if self.jobs.iter().any(|j| j.to_do()) {
            return Err(Invalid("service.jobs_unfinished"));
        }
        Ok(self.with_status(Status::SelfCheck))
    }

    /// The current check passes: self-check → team check → final inspection → inspected.
    pub fn pass_check(&self) -> Result<RepairOrder, Invalid> {
        self.require(Self::QC_CHAIN, "service.not_in_qc", "service.qc_passed")?;
        let next = match self.status {
            Status::SelfCheck => Status::TeamCheck,
            Status::TeamCheck => Status::FinalInspection,
            _ => Status::Inspected,
        };
        Ok(self.with_status(next))
    }

    /// The current check fails on one job: that job goes back to the workshop and its rework
    /// is counted (the first-time-fix figures read it).
    pub fn fail_check(&self, index: usize) -> Result<RepairOrder, Invalid> {
        self.require(Self::QC_CHAIN, "service.not_in_qc", "service.qc_passed")?;
        let job = self.job(index)?;
        if job.progress != JobProgress::Done {
            return Err(Invalid("service.job_not_done"));
        }
        let reopened = Job {
            progress: JobProgress::Pending,
            reworks: job.reworks.saturating_add(1),
            ..job
        };
        Ok(self.with_job(index, reopened, Status::InProgress))
    }

    /// The advisor's internal delivery check, after final inspection. The caller records the
    /// `vehicle_ready` event that tells the customer.
    pub fn deliver_internally(&self, check: &InternalDelivery) -> Result<RepairOrder, Invalid> {
        self.require(
            &[Status::Inspected],
            "service.qc_not_passed",
            "service.already_ready",
        )?;
        if let Some(missing) = check.first_missing() {
            return Err(Invalid(missing));
        }
        Ok(self.with_status(Status::Ready))
    }

    /// The settlement sheet is signed and nothing is left to pay.
    pub fn settle(&self, balance_due_fen: i64) -> Result<RepairOrder, Invalid> {
        self.require(
            &[Status::Ready],
            "service.not_ready",
            "service.already_settled",
        )?;
        if balance_due_fen != 0 {
            return Err(Invalid("service.balance_due"));
        }
        Ok(self.with_status(Status::Settled))
    }

    /// The car is handed back; the caller records `repair_order_closed`.
    pub fn close(&self) -> Result<RepairOrder, Invalid> {
        self.require(
            &[Status::Settled],
            "service.not_settled",
            "service.not_settled",
        )?;
        Ok(self.with_status(Status::Closed))
    }

    /// An order may be withdrawn until the first job starts; after that it is settled, even if
    /// only for the diagnosis.
    pub fn cancel(&self) -> Result<RepairOrder, Invalid> {
        self.require(
            &[Status::Open, Status::Dispatched],
            "service.work_started",
            "service.work_started",
        )?;
        Ok(self.with_status(Status::Cancelled))
    }
}

/// Who may sign each check: the technician their own self-check, the team leader (workshop
/// supervisor) the team check, and only QC or the technical director (the supervisor's role
/// here) the final inspection. Store managers and admins stand in for any of them.
pub fn may_sign_check(role: Role, status: Status) -> bool {
    let managers = matches!(role, Role::Admin | Role::StoreManager);
    managers
        || match status {
            Status::SelfCheck => matches!(role, Role::Technician | Role::WorkshopSupervisor),
            Status::TeamCheck => role == Role::WorkshopSupervisor,
            Status::FinalInspection => matches!(role, Role::QcInspector | Role::WorkshopSupervisor),
            _ => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_qc_or_the_technical_director_signs_the_final_inspection() {
        assert!(may_sign_check(Role::Technician, Status::SelfCheck));
        assert!(!may_sign_check(Role::Technician, Status::TeamCheck));
        assert!(!may_sign_check(Role::Technician, Status::FinalInspection));
        assert!(may_sign_check(Role::WorkshopSupervisor, Status::TeamCheck));
        assert!(may_sign_check(Role::QcInspector, Status::FinalInspection));
        assert!(!may_sign_check(Role::QcInspector, Status::SelfCheck));
        assert!(may_sign_check(Role::StoreManager, Status::FinalInspection));
        assert!(!may_sign_check(Role::Technician, Status::Open));
    }

    const ALL_TICKED: InternalDelivery = InternalDelivery {
        jobs_signed: true,
        fault_gone: true,
        old_parts_ready: true,
        clean: true,
        no_tools_left: true,
    };

    fn in_progress() -> RepairOrder {
        RepairOrder::open(1)
            .and_then(|o| o.dispatch())
            .and_then(|o| o.start_job(0))
            .unwrap()
    }

    fn at_self_check() -> RepairOrder {
        in_progress()
            .complete_job(0)
            .and_then(|o| o.finish_work())
            .unwrap()
    }

    fn inspected() -> RepairOrder {
        let mut order = at_self_check();
        for _ in 0..3 {
            order = order.pass_check().unwrap();
        }
        order
    }

    fn settled() -> RepairOrder {
        inspected()
            .deliver_internally(&ALL_TICKED)
            .and_then(|o| o.settle(0))
            .unwrap()
    }

    #[test]
    fn an_order_runs_from_reception_to_hand_over() {
        let order = at_self_check();
        let checks: Vec<Status> = std::iter::successors(Some(order), |o| o.pass_check().ok())
            .map(|o| o.status)
            .collect();
        assert_eq!(
            checks,
            [
                Status::SelfCheck,
                Status::TeamCheck,
                Status::FinalInspection,
                Status::Inspected
            ]
        );
        let ready = inspected().deliver_internally(&ALL_TICKED).unwrap();
        assert_eq!(ready.status, Status::Ready);
        let closed = ready.settle(0).and_then(|o| o.close()).unwrap();
        assert_eq!(closed.status, Status::Closed);
        assert_eq!(closed.jobs[0].progress, JobProgress::Done);
    }

    #[test]
    fn an_order_needs_a_job_and_is_dispatched_once() {
        assert_eq!(RepairOrder::open(0), Err(Invalid("service.no_jobs")));
        let dispatched = RepairOrder::open(2).unwrap().dispatch().unwrap();
        assert_eq!(dispatched.status, Status::Dispatched);
        assert_eq!(
            dispatched.dispatch(),
            Err(Invalid("service.already_dispatched"))
        );
    }

    #[test]
    fn jobs_start_after_dispatch_and_finish_after_starting() {
        let open = RepairOrder::open(2).unwrap();
        assert_eq!(open.start_job(0), Err(Invalid("service.not_dispatched")));
        let order = in_progress();
        assert_eq!(order.start_job(0), Err(Invalid("service.job_started")));
        assert_eq!(order.start_job(5), Err(Invalid("service.no_such_job")));
        let dispatched = open.dispatch().unwrap();
        assert_eq!(
            dispatched.complete_job(0),
            Err(Invalid("service.not_in_progress"))
        );
        let two = dispatched.start_job(0).unwrap();
        assert_eq!(two.complete_job(1), Err(Invalid("service.job_not_started")));
        let done = two.complete_job(0).unwrap();
        assert_eq!(done.start_job(0), Err(Invalid("service.job_done")));
        assert_eq!(done.finish_work(), Err(Invalid("service.jobs_unfinished")));
    }

    #[test]
    fn added_work_waits_for_the_customers_approval() {
        let (order, added) = in_progress().propose_job().unwrap();
        assert_eq!((added, order.jobs[added]), (1, Job::PROPOSED));
        assert_eq!(
            order.start_job(added),
            Err(Invalid("service.job_not_approved"))
        );
        assert_eq!(
            order.complete_job(added),
            Err(Invalid("service.job_not_started"))
        );
        let first_done = order.complete_job(0).unwrap();
        assert_eq!(
            first_done.finish_work(),
            Err(Invalid("service.approval_pending"))
        );
        let approved = first_done.decide_job(added, true).unwrap();
        assert_eq!(approved.jobs[added].approval, Approval::Approved);
        assert_eq!(
            approved.decide_job(added, false),
            Err(Invalid("service.job_not_proposed"))
        );
        assert_eq!(
            approved.finish_work(),
            Err(Invalid("service.jobs_unfinished"))
        );
        let finished = approved
            .start_job(added)
            .and_then(|o| o.complete_job(added))
            .and_then(|o| o.finish_work());
        assert_eq!(finished.unwrap().status, Status::SelfCheck);
    }

    #[test]
    fn declined_work_is_never_started_and_does_not_hold_up_the_order() {
        let (order, added) = in_progress().propose_job().unwrap();
        let declined = order.decide_job(added, false).unwrap();
        assert_eq!(
            declined.start_job(added),
            Err(Invalid("service.job_declined"))
        );
        let finished = declined.complete_job(0).and_then(|o| o.finish_work());
        assert_eq!(finished.unwrap().status, Status::SelfCheck);
    }

    #[test]
    fn nothing_is_proposed_or_decided_once_work_is_finished() {
        let order = at_self_check();
        assert_eq!(
            order.propose_job().unwrap_err(),
            Invalid("service.work_finished")
        );
        assert_eq!(
            order.decide_job(0, true),
            Err(Invalid("service.work_finished"))
        );
        assert_eq!(order.start_job(0), Err(Invalid("service.work_finished")));
    }

    #[test]
    fn a_paused_order_keeps_its_reason_until_resumed() {
        let paused = in_progress().pause(PauseReason::WaitingParts).unwrap();
        assert_eq!(
            (paused.status, paused.pause_reason),
            (Status::Paused, Some(PauseReason::WaitingParts))
        );
        assert_eq!(
            paused.pause(PauseReason::Other),
            Err(Invalid("service.paused"))
        );
        assert_eq!(paused.complete_job(0), Err(Invalid("service.paused")));
        assert_eq!(paused.finish_work(), Err(Invalid("service.paused")));
        assert!(paused.propose_job().is_ok());
        let resumed = paused.resume().unwrap();
        assert_eq!(
            (resumed.status, resumed.pause_reason),
            (Status::InProgress, None)
        );
        assert_eq!(resumed.resume(), Err(Invalid("service.not_paused")));
        let dispatched = RepairOrder::open(1).unwrap().dispatch().unwrap();
        assert_eq!(
            dispatched.pause(PauseReason::WaitingApproval),
            Err(Invalid("service.not_in_progress"))
        );
        assert_eq!(
            at_self_check().pause(PauseReason::Other),
            Err(Invalid("service.work_finished"))
        );
    }

    #[test]
    fn a_failed_check_sends_the_job_back_and_counts_a_rework() {
        for passes in 0..3 {
            let mut order = at_self_check();
            for _ in 0..passes {
                order = order.pass_check().unwrap();
            }
            let back = order.fail_check(0).unwrap();
            assert_eq!(back.status, Status::InProgress);
            assert_eq!(back.jobs[0].progress, JobProgress::Pending);
            assert_eq!(back.jobs[0].reworks, 1);
            let again = back
                .start_job(0)
                .and_then(|o| o.complete_job(0))
                .and_then(|o| o.finish_work())
                .and_then(|o| o.fail_check(0))
                .unwrap();
            assert_eq!(again.jobs[0].reworks, 2);
        }
    }

    #[test]
    fn checks_happen_only_in_the_qc_chain_on_done_jobs() {
        assert_eq!(
            in_progress().pass_check(),
            Err(Invalid("service.not_in_qc"))
        );
        assert_eq!(
            in_progress().fail_check(0),
            Err(Invalid("service.not_in_qc"))
        );
        assert_eq!(inspected().pass_check(), Err(Invalid("service.qc_passed")));
        assert_eq!(inspected().fail_check(0), Err(Invalid("service.qc_passed")));
        let (with_declined, added) = in_progress().propose_job().unwrap();
        let at_check = with_declined
            .decide_job(added, false)
            .and_then(|o| o.complete_job(0))
            .and_then(|o| o.finish_work())
            .unwrap();
        assert_eq!(
            at_check.fail_check(added),
            Err(Invalid("service.job_not_done"))
        );
        assert_eq!(at_check.fail_check(9), Err(Invalid("service.no_such_job")));
    }

    #[test]
    fn no_internal_delivery_before_final_inspection_or_with_an_item_missing() {
        let mut order = at_self_check();
        for _ in 0..3 {
            assert_eq!(
                order.deliver_internally(&ALL_TICKED),
                Err(Invalid("service.qc_not_passed"))
            );
            order = order.pass_check().unwrap();
        }
        type Untick = fn(&mut InternalDelivery);
        let untick: [(Untick, &str); 5] = [
            (|c| c.jobs_signed = false, "service.checklist.jobs_signed"),
            (|c| c.fault_gone = false, "service.checklist.fault_gone"),
            (
                |c| c.old_parts_ready = false,
                "service.checklist.old_parts_ready",
            ),
            (|c| c.clean = false, "service.checklist.clean"),
            (
                |c| c.no_tools_left = false,
                "service.checklist.no_tools_left",
            ),
        ];
        for (leave_out, code) in untick {
            let mut check = ALL_TICKED;
            leave_out(&mut check);
            assert_eq!(order.deliver_internally(&check), Err(Invalid(code)));
        }
        let ready = order.deliver_internally(&ALL_TICKED).unwrap();
        assert_eq!(
            ready.deliver_internally(&ALL_TICKED),
            Err(Invalid("service.already_ready"))
        );
    }

    #[test]
    fn no_settlement_before_internal_delivery_or_with_money_owed() {
        assert_eq!(inspected().settle(0), Err(Invalid("service.not_ready")));
        let ready = inspected().deliver_internally(&ALL_TICKED).unwrap();
        assert_eq!(ready.settle(1), Err(Invalid("service.balance_due")));
        assert_eq!(ready.settle(-1), Err(Invalid("service.balance_due")));
        assert_eq!(settled().settle(0), Err(Invalid("service.already_settled")));
    }

    #[test]
    fn no_hand_over_before_settlement() {
        assert_eq!(in_progress().close(), Err(Invalid("service.not_settled")));
        assert_eq!(inspected().close(), Err(Invalid("service.not_settled")));
        let ready = inspected().deliver_internally(&ALL_TICKED).unwrap();
        assert_eq!(ready.close(), Err(Invalid("service.not_settled")));
    }

    #[test]
    fn orders_are_cancelled_only_before_work_starts() {
        let open = RepairOrder::open(1).unwrap();
        assert_eq!(open.cancel().unwrap().status, Status::Cancelled);
        assert_eq!(
            open.dispatch().and_then(|o| o.cancel()).unwrap().status,
            Status::Cancelled
        );
        assert_eq!(in_progress().cancel(), Err(Invalid("service.work_started")));
        assert_eq!(settled().cancel(), Err(Invalid("service.work_started")));
    }

    #[test]
    fn closed_and_cancelled_orders_cannot_change() {
        let closed = settled().close().unwrap();
        let cancelled = RepairOrder::open(1).unwrap().cancel().unwrap();
        for order in [closed, cancelled] {
            let attempts = [
                order.dispatch(),
                order.propose_job().map(|(o, _)| o),
                order.decide_job(0, true),
                order.start_job(0),
                order.complete_job(0),
                order.pause(PauseReason::Other),
                order.resume(),
                order.finish_work(),
                order.pass_check(),
                order.fail_check(0),
                order.deliver_internally(&ALL_TICKED),
                order.settle(0),
                order.close(),
                order.cancel(),
            ];
            for attempt in attempts {
                assert_eq!(attempt, Err(Invalid("service.order_closed")));
            }
        }
    }
}
