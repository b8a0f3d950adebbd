"""Piccolo's configuration: the engine from the settings and one app per plugin."""

from piccolo.conf.apps import AppRegistry

from payamak.db import make_engine
from payamak.registry import get_registry
from payamak.settings import get_settings

DB = make_engine(get_settings())

APP_REGISTRY = AppRegistry(apps=get_registry().collect("payamak_piccolo_apps"))
