-- The support inbox's own database (inbox/), beside the tracker store's.
-- The postgres image runs this once, when it creates a new data volume.
CREATE DATABASE inbox OWNER rasa;
