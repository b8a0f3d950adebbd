"""The webhooks plugin's Piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from payamak_webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookSecret

APP_CONFIG = AppConfig(
    app_name="webhooks",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[WebhookSecret, WebhookEndpoint, WebhookDelivery, WebhookAttempt],
    migration_dependencies=["payamak.piccolo_app"],
    commands=[],
)
