# fragment for src/stages
