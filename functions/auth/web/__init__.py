"""The web foundation of gBizID's pages: sessions (:mod:`.session`), layout and forms (:mod:`.layout`),
messages (:mod:`.messages`), request helpers (:mod:`.request`)."""
