"""The billing plugin's Piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from payamak_billing_zarinpal.tables import BillingSettings, Invoice, LineRequest, Payment

APP_CONFIG = AppConfig(
    app_name="billing",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[BillingSettings, LineRequest, Invoice, Payment],
    migration_dependencies=["payamak.piccolo_app"],
    commands=[],
)
