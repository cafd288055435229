region = "eu-de"
