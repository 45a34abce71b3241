-- Files the emulator makes that the service never lets anyone download (a distillation's training
-- data): their content route refuses unless the emulator is started to allow it for debugging.
ALTER TABLE files ADD COLUMN closed INTEGER NOT NULL DEFAULT 0;
