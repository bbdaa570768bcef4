from lotsen.service import serve
from services.stats.app import create_app
from services.stats.settings import StatsSettings

if __name__ == "__main__":
    serve(create_app, StatsSettings())
