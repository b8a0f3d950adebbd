"""The support plugin's Piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from payamak_support.tables import Department, SupportSettings, Ticket, TicketMessage

APP_CONFIG = AppConfig(
    app_name="support",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Department, Ticket, TicketMessage, SupportSettings],
    migration_dependencies=["payamak.piccolo_app"],
    commands=[],
)
