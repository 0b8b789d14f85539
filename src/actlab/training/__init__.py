"""Training a model: the Classifier (the one LightningModule), its optimizer and schedule, its
epoch scores, the precision it trains in."""
