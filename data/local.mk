# fragment for data
