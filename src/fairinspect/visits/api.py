from ninja import Router

router = Router(tags=["扫码入企与现场检查 visits"])
