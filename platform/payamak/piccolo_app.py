"""The core's Piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from payamak.boxes.tables import Template
from payamak.messaging.tables import (
    CreditAccount,
    InboundMessage,
    LedgerEntry,
    Line,
    OperatorConnection,
    OptOut,
    PortedNumber,
    Price,
    Recipient,
    SendJob,
    WholesaleAccount,
    WholesaleEntry,
    WholesalePrice,
)
from payamak.tables import Announcement, ApiKey, Tenant, User

APP_CONFIG = AppConfig(
    app_name="payamak",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Tenant,
        User,
        ApiKey,
        Announcement,
        OperatorConnection,
        Line,
        CreditAccount,
        LedgerEntry,
        Price,
        WholesaleAccount,
        WholesaleEntry,
        WholesalePrice,
        SendJob,
        Recipient,
        InboundMessage,
        OptOut,
        PortedNumber,
        Template,
    ],
    migration_dependencies=[],
    commands=[],
)
