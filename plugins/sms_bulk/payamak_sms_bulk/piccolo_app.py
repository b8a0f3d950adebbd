"""The bulk plugin's Piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from payamak_sms_bulk.tables import Blacklisted, BulkNumber, BulkSend, Calculation, DatabaseGrant, NumberDatabase

APP_CONFIG = AppConfig(
    app_name="sms_bulk",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[NumberDatabase, BulkNumber, Blacklisted, DatabaseGrant, Calculation, BulkSend],
    migration_dependencies=["payamak.piccolo_app"],
    commands=[],
)
