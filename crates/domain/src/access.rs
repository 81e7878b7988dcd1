//! Roles, permissions and data scopes: the one place that decides who may do what.
//!
//! Every HTTP handler names the [`Permission`] it needs; [`Role::allows`] is the whole policy, so
//! the role × permission matrix can be read (and tested) here at a glance.

use serde::{Deserialize, Serialize};

/// A staff member's job in the dealer group. Stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    StoreManager,
    SalesManager,
    SalesConsultant,
    Receptionist,
    ServiceAdvisor,
    WorkshopSupervisor,
    Technician,
    QcInspector,
    PartsManager,
    CustomerCare,
    Marketing,
}

/// How much of the group's data a user sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataScope {
    /// Only records the user owns (a consultant's own customers).
    Own,
    /// Everything in the user's store.
    Store,
    /// Every store of the dealer group.
    Group,
}

/// Something a handler may do. Reads of masked data need only the `*Read` permission; seeing
/// personal information in clear needs [`Permission::ViewPhone`] or [`Permission::RevealIdNumber`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    CustomerRead,
    CustomerWrite,
    CustomerDelete,
    CustomerMerge,
    VehicleRead,
    VehicleWrite,
    VehicleTransfer,
    ViewPhone,
    RevealIdNumber,
    ReadAudit,
    /// Hand a customer a copy of everything held about them (PIPL art. 45).
    PersonalDataExport,
    /// Bring customers and vehicles in from files.
    ImportData,
    /// Take lists out as files (a PIPL risk: audited, masked as on screen).
    ExportData,
    /// Log showroom visits and inbound calls; see the showroom board.
    ShowroomLog,
    /// Work prospects: create leads, follow up, record test drives, quote, order, deliver.
    LeadWork,
    /// Run the sales team: reassign leads, decide defeats and large discounts.
    SalesManage,
    /// See appointments, repair orders and the workshop board.
    ServiceRead,
    /// Book, confirm and reschedule appointments; see vehicles due for maintenance.
    ServiceBook,
    /// Receive cars, write repair orders, record the customer's decisions, settle, hand over.
    ServiceAdvise,
    /// Dispatch repair orders to teams and technicians.
    WorkshopDispatch,
    /// Clock jobs, report findings (added work), pause, finish, sign quality checks.
    WorkshopWork,
    /// Set up the workshop: labour operations, bays, rates and hours.
    ServiceSetup,
    /// See the workshop's KPIs, capacity planning and claim commissions.
    ServiceReport,
    /// Run the parts department: catalogue, bins, receipts, issues to repair orders, returns,
    /// adjustments, transfers, stock-takes, supplier and special orders, parts reports.
    PartsManage,
    /// Work one's care tasks: calls and visits with their outcomes, surveys asked on the phone;
    /// take a complaint from a customer.
    CareWork,
    /// Run customer care: the team's tasks (reassign, escalations), complaints to their close,
    /// the outbox, survey and care reports.
    CareManage,
    /// Set up care: plans and their rules, message templates, survey templates, care settings.
    CareSetup,
}

impl Role {
    pub const ALL: [Role; 12] = [
        Role::Admin,
        Role::StoreManager,
        Role::SalesManager,
        Role::SalesConsultant,
        Role::Receptionist,
        Role::ServiceAdvisor,
        Role::WorkshopSupervisor,
        Role::Technician,
        Role::QcInspector,
        Role::PartsManager,
        Role::CustomerCare,
        Role::Marketing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::StoreManager => "store_manager",
            Role::SalesManager => "sales_manager",
            Role::SalesConsultant => "sales_consultant",
            Role::Receptionist => "receptionist",
            Role::ServiceAdvisor => "service_advisor",
            Role::WorkshopSupervisor => "workshop_supervisor",
            Role::Technician => "technician",
            Role::QcInspector => "qc_inspector",
            Role::PartsManager => "parts_manager",
            Role::CustomerCare => "customer_care",
            Role::Marketing => "marketing",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }

    /// The scope a new user of this role gets unless an admin chooses otherwise.
    pub fn default_scope(self) -> DataScope {
        match self {
            Role::Admin => DataScope::Group,
            Role::SalesConsultant => DataScope::Own,
            _ => DataScope::Store,
        }
    }

    /// The whole access policy.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        use Role::*;
        // Staff who deal with customers face to face or by phone. The workshop, parts and
        // marketing work without changing the archive or seeing the customer's number.
        let front_office = matches!(
            self,
            Admin
                | StoreManager
                | SalesManager
                | SalesConsultant
                | Receptionist
                | ServiceAdvisor
                | CustomerCare
        );
        match permission {
            // Everyone who meets customers or works on their cars needs the archive.
            CustomerRead | VehicleRead => true,
            CustomerWrite | VehicleWrite | ViewPhone | PersonalDataExport => front_office,
            VehicleTransfer | CustomerMerge => matches!(self, Admin | StoreManager | SalesManager),
            CustomerDelete | ReadAudit => matches!(self, Admin | StoreManager),
            RevealIdNumber | ImportData => matches!(self, Admin | StoreManager),
            ExportData => matches!(self, Admin | StoreManager | SalesManager | Marketing),
            ShowroomLog => matches!(
                self,
                Admin | StoreManager | SalesManager | SalesConsultant | Receptionist
            ),
            LeadWork => matches!(self, Admin | StoreManager | SalesManager | SalesConsultant),
            SalesManage => matches!(self, Admin | StoreManager | SalesManager),
            ServiceRead => matches!(
                self,
                Admin
                    | StoreManager
                    | ServiceAdvisor
                    | WorkshopSupervisor
                    | Technician
                    | QcInspector
                    | PartsManager
                    | CustomerCare
            ),
            ServiceBook => matches!(self, Admin | StoreManager | ServiceAdvisor | CustomerCare),
            ServiceAdvise => matches!(self, Admin | StoreManager | ServiceAdvisor),
            WorkshopDispatch => matches!(self, Admin | StoreManager | WorkshopSupervisor),
            WorkshopWork => matches!(
                self,
                Admin | StoreManager | WorkshopSupervisor | Technician | QcInspector
            ),
            ServiceSetup => matches!(self, Admin | StoreManager),
            ServiceReport => matches!(self, Admin | StoreManager | WorkshopSupervisor),
            PartsManage => matches!(self, Admin | StoreManager | PartsManager),
            CareWork => front_office,
            CareManage => matches!(self, Admin | StoreManager | SalesManager | CustomerCare),
            CareSetup => matches!(self, Admin | StoreManager),
        }
    }
}

impl DataScope {
    pub fn as_str(self) -> &'static str {
        match self {
            DataScope::Own => "own",
            DataScope::Store => "store",
            DataScope::Group => "group",
        }
    }

    pub fn parse(name: &str) -> Option<DataScope> {
        [DataScope::Own, DataScope::Store, DataScope::Group]
            .into_iter()
            .find(|scope| scope.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("janitor"), None);
    }

    #[test]
    fn workshop_roles_see_the_archive_but_not_phone_numbers() {
        for role in [Role::Technician, Role::QcInspector, Role::PartsManager] {
            assert!(role.allows(Permission::CustomerRead));
            assert!(!role.allows(Permission::ViewPhone));
            assert!(!role.allows(Permission::CustomerWrite));
        }
    }

    #[test]
    fn only_admins_and_store_managers_reveal_id_numbers() {
        let revealers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|role| role.allows(Permission::RevealIdNumber))
            .collect();
        assert_eq!(revealers, vec![Role::Admin, Role::StoreManager]);
    }

    #[test]
    fn receptionists_log_traffic_and_only_managers_decide() {
        assert!(Role::Receptionist.allows(Permission::ShowroomLog));
        assert!(!Role::Receptionist.allows(Permission::LeadWork));
        assert!(Role::SalesConsultant.allows(Permission::LeadWork));
        assert!(!Role::SalesConsultant.allows(Permission::SalesManage));
        assert!(Role::SalesManager.allows(Permission::SalesManage));
        assert!(!Role::ServiceAdvisor.allows(Permission::ShowroomLog));
    }

    #[test]
    fn advisors_write_orders_and_the_workshop_works_them() {
        assert!(Role::ServiceAdvisor.allows(Permission::ServiceAdvise));
        assert!(!Role::ServiceAdvisor.allows(Permission::WorkshopDispatch));
        assert!(Role::CustomerCare.allows(Permission::ServiceBook));
        assert!(!Role::CustomerCare.allows(Permission::ServiceAdvise));
        assert!(Role::WorkshopSupervisor.allows(Permission::WorkshopDispatch));
        assert!(Role::Technician.allows(Permission::WorkshopWork));
        assert!(!Role::Technician.allows(Permission::WorkshopDispatch));
        assert!(!Role::SalesConsultant.allows(Permission::ServiceRead));
        assert!(!Role::ServiceAdvisor.allows(Permission::ServiceSetup));
    }

    #[test]
    fn the_parts_department_moves_stock_and_advisors_only_ask() {
        assert!(Role::PartsManager.allows(Permission::PartsManage));
        assert!(Role::PartsManager.allows(Permission::ServiceRead));
        assert!(!Role::ServiceAdvisor.allows(Permission::PartsManage));
        assert!(!Role::Technician.allows(Permission::PartsManage));
        assert!(Role::ServiceAdvisor.allows(Permission::ServiceBook));
        assert!(!Role::PartsManager.allows(Permission::ServiceBook));
    }

    #[test]
    fn front_office_works_care_tasks_and_managers_run_them() {
        assert!(Role::SalesConsultant.allows(Permission::CareWork));
        assert!(Role::ServiceAdvisor.allows(Permission::CareWork));
        assert!(!Role::Technician.allows(Permission::CareWork));
        assert!(!Role::SalesConsultant.allows(Permission::CareManage));
        assert!(Role::CustomerCare.allows(Permission::CareManage));
        assert!(!Role::CustomerCare.allows(Permission::CareSetup));
        assert!(Role::StoreManager.allows(Permission::CareSetup));
    }

    #[test]
    fn consultants_default_to_their_own_customers() {
        assert_eq!(Role::SalesConsultant.default_scope(), DataScope::Own);
        assert_eq!(Role::Admin.default_scope(), DataScope::Group);
        assert_eq!(Role::ServiceAdvisor.default_scope(), DataScope::Store);
    }
}
