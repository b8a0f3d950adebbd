"""Log-in throttling: failures counted per account and per address in a shared store."""

from __future__ import annotations

from litestar.stores.base import Store

MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20
WINDOW_SECONDS = 15 * 60


class LoginThrottle:
    """Counts failed log-ins; a key over its limit is refused until the window passes."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @staticmethod
    def _keys(host: str, username: str, address: str) -> list[tuple[str, int]]:
        return [(f"acct:{host}:{username.lower()}", MAX_PER_ACCOUNT), (f"addr:{address}", MAX_PER_ADDRESS)]

    async def blocked(self, host: str, username: str, address: str) -> bool:
        for key, limit in self._keys(host, username, address):
            value = await self.store.get(key)
            if value is not None and int(value) >= limit:
                return True
        return False

    async def failed(self, host: str, username: str, address: str) -> None:
        for key, _ in self._keys(host, username, address):
            value = await self.store.get(key)
            await self.store.set(key, str(int(value or 0) + 1), expires_in=WINDOW_SECONDS)

    async def succeeded(self, host: str, username: str) -> None:
        await self.store.delete(f"acct:{host}:{username.lower()}")
