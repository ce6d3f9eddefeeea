from ninja import Router

router = Router(tags=["行政处罚案件 cases"])
